/**
 * How cost grows with the backlog, ours against the seed's naive queue:
 * bytes written per push, the time to open the queue (against a plain
 * JSON parse of the same entries), and replay time (loopback server
 * answering in 5 ms; the outbox with 100 lanes and its default concurrency
 * of 4; the naive loop both as the seed writes it and rewriting after each
 * success). Two SVG charts go to BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from 'fs'
import * as path from 'path'
import { startTestServer } from '../test/support/test-server'
import { printTable, type BenchSection } from './bench-section'
import { NAIVE_REPLAYS } from './naive-queue'
import { measureNaiveReplay, measurePush, measureReplay, PUSHES } from './outbox-fixtures'
import { renderChart } from './svg-chart'

const PUSH_BACKLOGS = [10, 100, 1000, 10000]
const REPLAY_BACKLOGS = [50, 100, 250, 500, 1000]
const LATENCY_MS = 5
export const CHART_DIR = path.join(__dirname, 'charts')

const OURS = '#1565c0'
const NAIVE = '#c62828'
const NAIVE_EACH = '#ef6c00'
/** The aim for opening a backlog, as a multiple of a naive JSON parse of it. */
const OPEN_AIM = 1.5

export const scalingBench: BenchSection = {
  name: 'scaling',
  description: 'bytes per push and replay time against backlog size, ours vs naive; writes bench/charts/*.svg',
  async run() {
    const pushes = []
    for (const backlog of PUSH_BACKLOGS) pushes.push({ backlog, ...(await measurePush(backlog)) })
    const server = await startTestServer({ latencyMs: LATENCY_MS })
    const replays = []
    for (const backlog of REPLAY_BACKLOGS) {
      replays.push({
        backlog,
        ours: await measureReplay(server, backlog, 100, 4),
        naive: await measureNaiveReplay(server, backlog, 'write-once'),
        naiveEach: await measureNaiveReplay(server, backlog, 'write-each'),
      })
    }
    await server.close()

    printTable('Bytes written per push against backlog', pushes.map((p) => ({ pending: p.backlog, ours: p.bytes, naive: p.naiveBytes })))
    printTable(
      'Open against backlog (cold start, median of 5)',
      pushes.map((p) => ({
        pending: p.backlog + PUSHES,
        'ours ms': p.openMs,
        'naive parse ms': p.naiveOpenMs,
        'ours/naive': p.openMs / p.naiveOpenMs,
        [`aim <= ${OPEN_AIM}x at 10,000`]: p.backlog < 10000 ? '-' : p.openMs / p.naiveOpenMs <= OPEN_AIM ? 'met' : 'not met',
      })),
      [
        'ours: createOffline over the backlog (outbox and read cache, index from key names, no entry body read);',
        'naive parse: getStorageSync of the one key holding every entry, JSON included (the seed\'s way).',
        'Small backlogs measure the fixed cost of createOffline (about 1 ms); the aim is for a big backlog.',
      ],
    )
    printTable(
      `Replay time (ms) against backlog, server answering in ${LATENCY_MS} ms`,
      replays.map((r) => ({
        entries: r.backlog,
        ours: r.ours,
        'naive, write once': r.naive,
        'naive, write each': r.naiveEach,
        'write once/ours': r.naive / r.ours,
        'write each/ours': r.naiveEach / r.ours,
      })),
      [`naive, write once = ${NAIVE_REPLAYS['write-once']}.`, `naive, write each = ${NAIVE_REPLAYS['write-each']}.`],
    )

    mkdirSync(CHART_DIR, { recursive: true })
    writeFileSync(
      path.join(CHART_DIR, 'bytes-per-push.svg'),
      renderChart({
        title: 'Storage bytes written per push',
        xLabel: 'entries already pending',
        yLabel: 'bytes written',
        series: [
          { name: 'miniprogram-offline', color: OURS, points: pushes.map((p) => ({ x: p.backlog, y: p.bytes })) },
          { name: 'naive queue (one key, rewritten)', color: NAIVE, points: pushes.map((p) => ({ x: p.backlog, y: p.naiveBytes })) },
        ],
      }),
    )
    writeFileSync(
      path.join(CHART_DIR, 'replay-time.svg'),
      renderChart({
        title: `Replay time, server answering in ${LATENCY_MS} ms`,
        xLabel: 'entries to replay',
        yLabel: 'milliseconds',
        series: [
          { name: 'miniprogram-offline (100 lanes, concurrency 4)', color: OURS, points: replays.map((r) => ({ x: r.backlog, y: r.ours })) },
          { name: 'naive loop, one write after (seed 000)', color: NAIVE, points: replays.map((r) => ({ x: r.backlog, y: r.naive })) },
          { name: 'naive loop, rewrite after each success', color: NAIVE_EACH, points: replays.map((r) => ({ x: r.backlog, y: r.naiveEach })) },
        ],
      }),
    )
    console.log(`\n  charts written to ${path.relative(process.cwd(), CHART_DIR)}/`)
  },
}
