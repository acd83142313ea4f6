/**
 * The read side: a cached (and a precached) read against a network read of
 * the same answer from the loopback server, as a ratio; and what a precache
 * manifest update of 100 resources costs (time, storage writes, bytes).
 */
import { createOfflineReader, type OfflineReader } from '../sdk/cache'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import { NetworkMonitor } from '../sdk/sync/network-monitor'
import { createWxEmulator, type WxEmulator } from '../sdk/testing'
import { startTestServer, type TestServer } from '../test/support/test-server'
import { median, printTable, type BenchSection, type Cell } from './bench-section'

const MIB = 1024 * 1024
const READS = 300
const RESOURCES = 100
/** A customer list of about 4 KB of JSON, as a rep's app reads it. */
const CUSTOMERS = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `客户 ${i}`, address: `上海市浦东新区张江路 ${i} 号`, phone: '021-5555-0000' }))

interface Phone {
  emu: WxEmulator
  reader: OfflineReader
  monitor: NetworkMonitor
}

async function phone(maxBytes = 4 * MIB): Promise<Phone> {
  const emu = createWxEmulator({ storage: { maxTotalBytes: 64 * MIB, maxItemBytes: 64 * MIB } })
  const platform = createWxPlatform(emu.wx, { clock: emu.clock })
  const monitor = new NetworkMonitor(platform.network)
  await monitor.start()
  return { emu, monitor, reader: createOfflineReader({ platform, namespace: 'bench', network: monitor, options: { maxBytes, maxFileBytes: 64 * MIB } }) }
}

function dispose({ emu, reader, monitor }: Phone): void {
  reader.close()
  monitor.stop()
  emu.dispose()
}

async function timeAsyncMs(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await action()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Median and 95th percentile of `READS` runs of `read`, in ms. */
async function sample(read: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  const times: number[] = []
  for (let i = 0; i < READS; i++) times.push(await timeAsyncMs(read))
  times.sort((a, b) => a - b)
  return { median: median(times), p95: times[Math.floor(times.length * 0.95)] }
}

async function readTimes(server: TestServer): Promise<void> {
  server.respondWith((request) => (request.path.startsWith('/api/') ? { body: CUSTOMERS } : undefined))
  const rows = []
  for (const latency of [0, 20]) {
    server.setLatency(latency)
    const p = await phone()
    const url = `${server.url}/api/customers`
    p.reader.manifest({ version: '1', cache: [`${server.url}/api/precached`] })
    await p.reader.manifest.update()
    await p.reader.get({ url, strategy: 'networkFirst' })
    const network = await sample(() => p.reader.get({ url, strategy: 'networkOnly' }))
    const cached = await sample(() => p.reader.get({ url, strategy: 'cacheFirst' }))
    const precached = await sample(() => p.reader.get({ url: `${server.url}/api/precached` }))
    dispose(p)
    const label = latency === 0 ? 'loopback' : `loopback + ${latency} ms`
    rows.push({ server: label, 'network ms': network.median, 'network p95': network.p95, 'cached ms': cached.median, 'cached p95': cached.p95, 'precached ms': precached.median, 'network/cached': network.median / cached.median })
  }
  server.setLatency(0)
  printTable(`Reads: a ${Buffer.byteLength(JSON.stringify(CUSTOMERS))}-byte JSON answer, median of ${READS}`, rows, [
    'network: get() networkOnly through the emulated wx.request (real HTTP); cached: cacheFirst hit; precached: a manifest URL.',
    'A phone on 4G adds 50 to 300 ms to every network read; the cached read does not move.',
  ])
}

async function manifestUpdates(server: TestServer): Promise<void> {
  let version = 'v1'
  const image = Buffer.alloc(4096, 7)
  server.respondWith((request) => (request.path.startsWith('/r/') ? { body: { version, path: request.path, rows: CUSTOMERS.slice(0, 5) } } : undefined))
  const rows: Array<Record<string, Cell>> = []
  for (const files of [0, 20]) {
    for (let i = 0; i < files; i++) server.serveFile(`/static/tile-${i}.png`, image, 'image/png')
    const cache = [
      ...Array.from({ length: RESOURCES - files }, (_, i) => `${server.url}/r/${i}`),
      ...Array.from({ length: files }, (_, i) => `${server.url}/static/tile-${i}.png`),
    ]
    const p = await phone()
    const measure = async (step: string, next: string) => {
      version = next
      const writes = p.emu.faults.writes
      const bytes = p.emu.storage.bytesWritten
      p.reader.manifest({ version: next, cache })
      let outcome = ''
      const ms = await timeAsyncMs(async () => (outcome = await p.reader.manifest.update()))
      rows.push({ set: `${RESOURCES - files} responses + ${files} images`, step, outcome, ms, 'ms/resource': outcome === 'noupdate' ? 0 : ms / RESOURCES, writes: p.emu.faults.writes - writes, 'storage KB written': (p.emu.storage.bytesWritten - bytes) / 1024 })
    }
    await measure('first install', 'v1')
    await measure('same version', 'v1')
    await measure('version bump', 'v2')
    dispose(p)
  }
  printTable(`Manifest updates of ${RESOURCES} resources (loopback server, 4 downloads at a time)`, rows, [
    'writes: storage and file writes the emulator counted (downloads to temp files included); a version bump also removes the old version.',
  ])
}

export const cacheBench: BenchSection = {
  name: 'cache',
  description: 'cached vs network read time; the cost of a precache manifest update of 100 resources',
  async run() {
    const server = await startTestServer()
    try {
      await readTimes(server)
      await manifestUpdates(server)
    } finally {
      await server.close()
    }
  },
}
