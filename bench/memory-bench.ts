/**
 * Peak memory while the outbox replays 10,000 entries against a loopback
 * server, sampled every 5 ms: the heap the SDK needs does not hold the
 * backlog's bodies, since entries are read one at a time when sent.
 */
import { startTestServer } from '../test/support/test-server'
import { printTable, type BenchSection } from './bench-section'
import { benchClient, fill, roomyPhone, timeToDrain } from './outbox-fixtures'

const ENTRIES = 10000
const MIB = 1024 * 1024

function heapUsed(): number {
  return process.memoryUsage().heapUsed
}

export const memoryBench: BenchSection = {
  name: 'memory',
  description: `peak heap while replaying ${ENTRIES.toLocaleString('en-US')} entries`,
  async run() {
    const server = await startTestServer()
    const { emu, platform } = roomyPhone()
    const offline = benchClient(platform, { concurrency: 8 })
    await offline.ready
    await fill(offline, ENTRIES, `${server.url}/visits`, 100)
    const storedBytes = emu.storage.usedBytes
    global.gc?.()
    const baseline = heapUsed()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, heapUsed())), 5)
    const ms = await timeToDrain(emu, offline)
    clearInterval(sampler)
    offline.close()
    await emu.dispose()
    await server.close()
    printTable(`Replay of ${ENTRIES.toLocaleString('en-US')} entries (100 lanes, concurrency 8)`, [
      {
        'stored (MiB)': storedBytes / MIB,
        'heap before (MiB)': baseline / MIB,
        'peak heap (MiB)': peak / MIB,
        'peak - before (MiB)': (peak - baseline) / MIB,
        'replay (s)': ms / 1000,
      },
    ], ['heap includes the emulator and the test server running in the same process; no forced GC between samples.'])
  },
}
