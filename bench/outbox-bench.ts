/**
 * The outbox against the seed's naive queue (`naive-queue.ts`), side by side:
 * storage writes and bytes per push as the backlog grows, the time to open a
 * queue of 10,000 entries, and replay of 1,000 entries against a loopback
 * server that takes 20 ms an answer (one lane, many lanes, the naive loop).
 */
import { startTestServer } from '../test/support/test-server'
import { median, printTable, timeMs, type BenchSection } from './bench-section'
import { NAIVE_REPLAYS, NaiveQueue } from './naive-queue'
import { benchClient, fill, measureNaiveReplay, measurePush, measureReplay, REQUEST_BYTES, roomyPhone, visit } from './outbox-fixtures'

const BACKLOGS = [10, 1000, 10000]
const REPLAY_ENTRIES = Number(process.env.BENCH_REPLAY_ENTRIES ?? 1000)
const LATENCY_MS = 20

async function pushCosts(): Promise<void> {
  const rows = []
  for (const backlog of BACKLOGS) {
    const cost = await measurePush(backlog)
    rows.push({
      pending: backlog,
      'writes/push': cost.writes,
      'bytes/push': cost.bytes,
      'request bytes': REQUEST_BYTES,
      'x request': cost.bytes / REQUEST_BYTES,
      'naive bytes/push': cost.naiveBytes,
      'naive/ours': cost.naiveBytes / cost.bytes,
    })
  }
  printTable('Push: storage written per push with N already pending', rows, [
    'request bytes = the request itself as JSON (url, method, data; UTF-8); aim: x request <= 1.2 at every backlog.',
    'naive = the whole queue in one key, rewritten on each push (seed 000); WeChat would refuse it past 1 MB.',
  ])
}

async function openCost(): Promise<void> {
  const { platform } = roomyPhone()
  const offline = benchClient(platform)
  await fill(offline, 10000, 'https://example.com/visits')
  offline.close()
  const ours = median([1, 2, 3, 4, 5].map(() => timeMs(() => benchClient(platform).close())))

  const naive = roomyPhone()
  const queue = new NaiveQueue(naive.platform, 'offlineQueue')
  queue.fill(Array.from({ length: 10000 }, (_, i) => visit(i, 'https://example.com/visits')))
  const baseline = median([1, 2, 3, 4, 5].map(() => timeMs(() => queue.size())))
  printTable('Open: a queue holding 10,000 entries (median of 5)', [
    { queue: 'outbox', 'open ms': ours, 'entry bodies read': 0 },
    { queue: 'naive', 'open ms': baseline, 'entry bodies read': 10000 },
  ])
}

async function replayCosts(): Promise<void> {
  const server = await startTestServer({ latencyMs: LATENCY_MS })
  const floor = REPLAY_ENTRIES * LATENCY_MS
  const naive = await measureNaiveReplay(server, REPLAY_ENTRIES, 'write-once')
  const naiveEach = await measureNaiveReplay(server, REPLAY_ENTRIES, 'write-each')
  const rows = [
    { run: NAIVE_REPLAYS['write-once'], lanes: 1, concurrency: 1, ms: naive, 'floor ms': floor, 'x floor': naive / floor, 'naive/this': 1 },
    { run: NAIVE_REPLAYS['write-each'], lanes: 1, concurrency: 1, ms: naiveEach, 'floor ms': floor, 'x floor': naiveEach / floor, 'naive/this': naive / naiveEach },
  ]
  for (const [lanes, concurrency] of [
    [1, 4],
    [100, 4],
    [100, 8],
  ]) {
    const ms = await measureReplay(server, REPLAY_ENTRIES, lanes, concurrency)
    const laneFloor = lanes === 1 ? floor : floor / concurrency
    rows.push({ run: lanes === 1 ? 'outbox, one lane' : 'outbox, many lanes', lanes, concurrency, ms, 'floor ms': laneFloor, 'x floor': ms / laneFloor, 'naive/this': naive / ms })
  }
  await server.close()
  printTable(`Replay: ${REPLAY_ENTRIES} entries, loopback server answering in ${LATENCY_MS} ms`, rows, [
    'floor = N x latency for one lane, N x latency / concurrency for many; aims: one lane <= 1.1x, many lanes <= 1.25x.',
  ])
}

export const outboxBench: BenchSection = {
  name: 'outbox',
  description: 'push cost vs backlog, open time, replay time; against the seed naive queue',
  async run() {
    await pushCosts()
    await openCost()
    await replayCosts()
  },
}
