/**
 * The outbox against the seed's naive queue (`naive-queue.ts`), side by side:
 * storage writes and bytes per push as the backlog grows, the time to open a
 * queue of 10,000 entries, and replay of 1,000 entries against a loopback
 * server that takes 20 ms an answer (one lane, many lanes, the naive loop).
 */
import { createOffline, type OfflineClient } from '../sdk/client/offline-client'
import type { OfflineOptions } from '../sdk/client/offline-options'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import type { Platform } from '../sdk/platform/platform'
import { createWxEmulator, type WxEmulator } from '../sdk/testing'
import { startTestServer, type TestServer } from '../test/support/test-server'
import { median, printTable, timeMs, type BenchSection } from './bench-section'
import { NaiveQueue } from './naive-queue'

const MIB = 1024 * 1024
const BACKLOGS = [10, 1000, 10000]
const PUSHES = 50
const REPLAY_ENTRIES = Number(process.env.BENCH_REPLAY_ENTRIES ?? 1000)
const LATENCY_MS = 20

/** A phone with room for 10,000 entries (and for the baseline's one huge key). */
function roomyPhone(): { emu: WxEmulator; platform: Platform } {
  // Math.random ids for the bulk fill: secure random bytes cost a timer tick each.
  const emu = createWxEmulator({ online: false, storage: { maxTotalBytes: 256 * MIB, maxItemBytes: 256 * MIB }, features: { getRandomValues: false } })
  return { emu, platform: createWxPlatform(emu.wx, { clock: emu.clock }) }
}

function visit(i: number, url: string) {
  return { url, method: 'POST' as const, data: { visit: i, customer: `客户 ${i % 97}`, notes: `第${i}次拜访：客户对新产品感兴趣，约定下周再联系。`.repeat(12) } }
}

/** The entry's own size: the request as JSON, in UTF-8 bytes, as WeChat counts storage. */
const REQUEST_BYTES = Buffer.byteLength(JSON.stringify(visit(0, 'https://example.com/visits')), 'utf8')

function client(platform: Platform, options: OfflineOptions = {}): OfflineClient {
  return createOffline({ platform, namespace: 'bench', maxStorageBytes: 200 * MIB, ...options })
}

async function fill(offline: OfflineClient, count: number, url: string, lanes = 1): Promise<void> {
  for (let i = 0; i < count; i++) await offline.request({ ...visit(i, url), lane: lanes > 1 ? `customer-${i % lanes}` : undefined })
}

async function pushCosts(): Promise<void> {
  const rows = []
  for (const backlog of BACKLOGS) {
    const ours = roomyPhone()
    const offline = client(ours.platform)
    await fill(offline, backlog, 'https://example.com/visits')
    const writes = ours.emu.faults.writes
    const bytes = ours.emu.storage.bytesWritten
    await fill(offline, PUSHES, 'https://example.com/visits')
    const ourBytes = (ours.emu.storage.bytesWritten - bytes) / PUSHES
    offline.close()

    const naive = roomyPhone()
    const queue = new NaiveQueue(naive.platform, 'offlineQueue')
    queue.fill(Array.from({ length: backlog }, (_, i) => visit(i, 'https://example.com/visits')))
    const naiveBytesBefore = naive.emu.storage.bytesWritten
    const naivePushes = backlog >= 10000 ? 5 : PUSHES
    for (let i = 0; i < naivePushes; i++) queue.push(visit(i, 'https://example.com/visits'))
    const naiveBytes = (naive.emu.storage.bytesWritten - naiveBytesBefore) / naivePushes
    rows.push({
      pending: backlog,
      'writes/push': (ours.emu.faults.writes - writes) / PUSHES,
      'bytes/push': ourBytes,
      'request bytes': REQUEST_BYTES,
      'x request': ourBytes / REQUEST_BYTES,
      'naive bytes/push': naiveBytes,
      'naive/ours': naiveBytes / ourBytes,
    })
  }
  printTable('Push: storage written per push with N already pending', rows, [
    'request bytes = the request itself as JSON (url, method, data; UTF-8); aim: x request <= 1.2 at every backlog.',
    'naive = the whole queue in one key, rewritten on each push (seed 000); WeChat would refuse it past 1 MB.',
  ])
}

async function openCost(): Promise<void> {
  const { platform } = roomyPhone()
  const offline = client(platform)
  await fill(offline, 10000, 'https://example.com/visits')
  offline.close()
  const ours = median([1, 2, 3, 4, 5].map(() => timeMs(() => client(platform).close())))

  const naive = roomyPhone()
  const queue = new NaiveQueue(naive.platform, 'offlineQueue')
  queue.fill(Array.from({ length: 10000 }, (_, i) => visit(i, 'https://example.com/visits')))
  const baseline = median([1, 2, 3, 4, 5].map(() => timeMs(() => queue.size())))
  printTable('Open: a queue holding 10,000 entries (median of 5)', [
    { queue: 'outbox', 'open ms': ours, 'entry bodies read': 0 },
    { queue: 'naive', 'open ms': baseline, 'entry bodies read': 10000 },
  ])
}

async function replayTime(server: TestServer, lanes: number, concurrency: number): Promise<number> {
  const { emu, platform } = roomyPhone()
  const offline = client(platform, { concurrency })
  await offline.ready
  await fill(offline, REPLAY_ENTRIES, `${server.url}/visits`, lanes)
  server.reset()
  const drained = new Promise((resolve) => offline.on('drained', resolve))
  const start = Date.now()
  emu.setOnline(true)
  await drained
  const ms = Date.now() - start
  if (server.uniqueDeliveries !== REPLAY_ENTRIES) throw new Error(`delivered ${server.uniqueDeliveries} of ${REPLAY_ENTRIES}`)
  offline.close()
  await emu.dispose()
  return ms
}

async function naiveReplayTime(server: TestServer): Promise<number> {
  const { emu, platform } = roomyPhone()
  const queue = new NaiveQueue(platform, 'offlineQueue')
  queue.fill(Array.from({ length: REPLAY_ENTRIES }, (_, i) => visit(i, `${server.url}/visits`)))
  emu.setOnline(true)
  server.reset()
  const start = Date.now()
  await queue.replay()
  const ms = Date.now() - start
  await emu.dispose()
  return ms
}

async function replayCosts(): Promise<void> {
  const server = await startTestServer({ latencyMs: LATENCY_MS })
  const floor = REPLAY_ENTRIES * LATENCY_MS
  const naive = await naiveReplayTime(server)
  const rows = [
    { run: 'naive serial loop (seed 000)', lanes: 1, concurrency: 1, ms: naive, 'floor ms': floor, 'x floor': naive / floor, 'naive/this': 1 },
  ]
  for (const [lanes, concurrency] of [
    [1, 4],
    [100, 4],
    [100, 8],
  ]) {
    const ms = await replayTime(server, lanes, concurrency)
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
