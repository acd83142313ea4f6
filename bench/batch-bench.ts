/**
 * Batch replay against one request per entry, side by side in one run: the
 * time to drain a backlog from a loopback server answering every round trip
 * in 100 ms (a phone's RTT), in one lane and in 100 lanes, and the storage
 * calls each delivered entry costs. Aims (issue 12): one lane <= 0.05x the
 * per-entry time, 100 lanes <= 0.2x, at most 2 storage calls per entry.
 *
 * BENCH_BATCH_ENTRIES=200 makes a quick run (the default 1,000 takes about
 * two minutes, most of it the per-entry one-lane drain).
 */
import { mkdirSync, writeFileSync } from 'fs'
import * as path from 'path'
import { createOffline } from '../sdk/client/offline-client'
import type { OfflineOptions } from '../sdk/client/offline-options'
import type { Platform, PlatformStorage } from '../sdk/platform/platform'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import { createWxEmulator } from '../sdk/testing'
import { startBatchServer, type BatchServer } from '../test/support/batch-server'
import { printTable, type BenchSection } from './bench-section'
import { renderChart } from './svg-chart'
import { visit } from './outbox-fixtures'

const ENTRIES = Number(process.env.BENCH_BATCH_ENTRIES ?? 1000)
const RTT_MS = 100
const MIB = 1024 * 1024
const CHART_DIR = path.join(__dirname, 'charts')

interface Drain {
  ms: number
  callsPerEntry: number
  roundTrips: number
}

/** Counts every storage call the SDK makes. */
function counted(storage: PlatformStorage, onCall: () => void): PlatformStorage {
  return {
    get: (key) => (onCall(), storage.get(key)),
    set: (key, value) => (onCall(), storage.set(key, value)),
    remove: (key) => (onCall(), storage.remove(key)),
    info: () => (onCall(), storage.info()),
  }
}

/** Fills `entries` visits over `lanes` offline, then times the drain once the network is back. */
async function drain(server: BatchServer, entries: number, lanes: number, batch: OfflineOptions['batch']): Promise<Drain> {
  const emu = createWxEmulator({ online: false, storage: { maxTotalBytes: 256 * MIB, maxItemBytes: 256 * MIB } })
  let calls = 0
  const base = createWxPlatform(emu.wx, { clock: emu.clock })
  const platform: Platform = { ...base, storage: counted(base.storage, () => (calls += 1)) }
  const offline = createOffline({ platform, namespace: 'bench', maxStorageBytes: 200 * MIB, batch })
  await offline.ready
  for (let i = 0; i < entries; i++) await offline.request({ ...visit(i, `${server.url}/visits`), lane: lanes > 1 ? `customer-${i % lanes}` : undefined })
  const roundTripsBefore = server.batches + server.singles
  const appliedBefore = server.applied.length
  const drained = new Promise((resolve) => offline.on('drained', resolve))
  calls = 0
  const start = Date.now()
  emu.setOnline(true)
  await drained
  const ms = Date.now() - start
  if (server.applied.length - appliedBefore !== entries) throw new Error(`delivered ${server.applied.length - appliedBefore} of ${entries}`)
  offline.close()
  await emu.dispose()
  return { ms, callsPerEntry: calls / entries, roundTrips: server.batches + server.singles - roundTripsBefore }
}

export const batchBench: BenchSection = {
  name: 'batch',
  description: `batch replay vs one request per entry, ${ENTRIES} entries at ${RTT_MS} ms a round trip`,
  async run() {
    const server = await startBatchServer({ latencyMs: RTT_MS })
    const batch = { url: `${server.url}/batch`, maxEntries: 50 }
    const rows = []
    const points: Record<string, Array<{ x: number; y: number }>> = {}
    for (const lanes of [1, 100]) {
      const single = await drain(server, ENTRIES, lanes, undefined)
      const batched = await drain(server, ENTRIES, lanes, batch)
      for (const [run, result] of [['one request per entry', single], ['batch of 50', batched]] as const) {
        rows.push({
          lanes,
          run,
          's to drain': result.ms / 1000,
          'round trips': result.roundTrips,
          'storage calls/entry': result.callsPerEntry,
          'x per-entry': result.ms / single.ms,
        })
        ;(points[`${run}, ${lanes} lane${lanes > 1 ? 's' : ''}`] ??= []).push({ x: lanes, y: result.ms / 1000 })
      }
    }
    await server.close()
    printTable(`Drain ${ENTRIES} waiting visits, server ${RTT_MS} ms a round trip (concurrency 4)`, rows, [
      'aims: one lane <= 0.05x per-entry, 100 lanes <= 0.2x, <= 2 storage calls per entry.',
      `what a phone feels: the seconds above are what a rep back in signal waits for ${ENTRIES} waiting visits to reach the server.`,
    ])
    mkdirSync(CHART_DIR, { recursive: true })
    const colors = ['#c0392b', '#1f77b4', '#e67e22', '#2ca02c']
    writeFileSync(
      path.join(CHART_DIR, 'batch-drain.svg'),
      renderChart({
        title: `Seconds to drain ${ENTRIES} visits at ${RTT_MS} ms RTT`,
        xLabel: 'lanes',
        yLabel: 'seconds',
        series: Object.entries(points).map(([name, series], i) => ({ name, color: colors[i % colors.length], points: series })),
      }),
    )
  },
}
