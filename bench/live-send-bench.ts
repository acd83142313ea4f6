/**
 * What write-ahead costs, and what a replayed entry costs in storage calls.
 *
 * - Online `request()`: the entry is stored before the request leaves and
 *   removed once the server answered, so a kill on the wire loses nothing.
 *   Measured: storage calls and bytes per online request, and the time per
 *   request against a bare `wx.request` to the same loopback server, in the
 *   same run.
 * - Replay: storage calls per delivered entry, with and without a
 *   `dedupeKey` (aim: at most 2 for both).
 */
import { createOffline, type OfflineClient } from '../sdk/client/offline-client'
import type { Platform, PlatformStorage } from '../sdk/platform/platform'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import { createWxEmulator } from '../sdk/testing'
import { startTestServer, type TestServer } from '../test/support/test-server'
import { median, printTable, type BenchSection } from './bench-section'
import { visit } from './outbox-fixtures'

const MIB = 1024 * 1024
const LIVE_REQUESTS = 300
const REPLAYED = 500

interface StorageCalls {
  get: number
  set: number
  remove: number
  info: number
}

/** The emulator's storage behind a counter of every call the SDK makes. */
function countingStorage(storage: PlatformStorage, calls: StorageCalls): PlatformStorage {
  return {
    get: (key) => (calls.get++, storage.get(key)),
    set: (key, value) => (calls.set++, storage.set(key, value)),
    remove: (key) => (calls.remove++, storage.remove(key)),
    info: () => (calls.info++, storage.info()),
  }
}

function countedPhone(online: boolean) {
  const emu = createWxEmulator({ online, storage: { maxTotalBytes: 256 * MIB, maxItemBytes: 256 * MIB } })
  const calls: StorageCalls = { get: 0, set: 0, remove: 0, info: 0 }
  const base = createWxPlatform(emu.wx, { clock: emu.clock })
  const platform: Platform = { ...base, storage: countingStorage(base.storage, calls) }
  const reset = (): void => {
    calls.get = calls.set = calls.remove = calls.info = 0
  }
  return { emu, platform, calls, reset }
}

const total = (calls: StorageCalls): number => calls.get + calls.set + calls.remove + calls.info

function client(platform: Platform): OfflineClient {
  return createOffline({ platform, namespace: 'bench', maxStorageBytes: 200 * MIB })
}

/** Milliseconds each of `count` sequential calls took, median. */
async function perCall(count: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint()
    await call(i)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return median(times)
}

async function liveCost(server: TestServer): Promise<void> {
  const phone = countedPhone(true)
  const offline = client(phone.platform)
  await offline.ready
  const url = `${server.url}/visits`
  // Warm both paths (connections, JIT) before measuring.
  await perCall(20, (i) => offline.request(visit(i, url)))
  await perCall(20, (i) => phone.platform.http.request({ ...visit(i, url), header: { 'Idempotency-Key': `warm-${i}` } }).result)

  phone.reset()
  const bytesBefore = phone.emu.storage.bytesWritten
  const ours = await perCall(LIVE_REQUESTS, (i) => offline.request(visit(i, url)))
  const calls = { ...phone.calls }
  const bytes = (phone.emu.storage.bytesWritten - bytesBefore) / LIVE_REQUESTS
  const bare = await perCall(LIVE_REQUESTS, (i) => phone.platform.http.request({ ...visit(i, url), header: { 'Idempotency-Key': `bare-${i}` } }).result)
  offline.close()
  await phone.emu.dispose()

  printTable(`Online request(): write-ahead cost over ${LIVE_REQUESTS} sequential requests (loopback, 0 ms server)`, [
    {
      path: 'offline.request (stored, sent, removed)',
      'storage calls/req': total(calls) / LIVE_REQUESTS,
      'sets/req': calls.set / LIVE_REQUESTS,
      'removes/req': calls.remove / LIVE_REQUESTS,
      'gets/req': calls.get / LIVE_REQUESTS,
      'bytes written/req': bytes,
      'median ms/req': ours,
      'x bare': ours / bare,
    },
    { path: 'bare wx.request', 'storage calls/req': 0, 'sets/req': 0, 'removes/req': 0, 'gets/req': 0, 'bytes written/req': 0, 'median ms/req': bare, 'x bare': 1 },
  ], [`added by write-ahead: ${(ours - bare).toFixed(2)} ms a request (median), in exchange for surviving a kill while the request is on the wire.`])
}

async function replayCalls(server: TestServer, withDedupe: boolean): Promise<Record<string, string | number>> {
  const phone = countedPhone(false)
  const offline = client(phone.platform)
  await offline.ready
  for (let i = 0; i < REPLAYED; i++) {
    await offline.request({ ...visit(i, `${server.url}/visits`), dedupeKey: withDedupe ? `visit:${i}` : undefined })
  }
  const drained = new Promise((resolve) => offline.on('drained', resolve))
  phone.reset()
  phone.emu.setOnline(true)
  await drained
  const calls = { ...phone.calls }
  offline.close()
  await phone.emu.dispose()
  return {
    entries: withDedupe ? 'each with a dedupeKey' : 'plain',
    'storage calls/entry': total(calls) / REPLAYED,
    'gets/entry': calls.get / REPLAYED,
    'removes/entry': calls.remove / REPLAYED,
    'sets/entry': calls.set / REPLAYED,
  }
}

export const liveSendBench: BenchSection = {
  name: 'live-send',
  description: 'what write-ahead costs an online request, and storage calls per replayed entry',
  async run() {
    const server = await startTestServer()
    await liveCost(server)
    const rows = [await replayCalls(server, false), await replayCalls(server, true)]
    printTable(`Replay: storage calls per delivered entry (${REPLAYED} entries)`, rows, ['aim: at most 2 per entry, with or without a dedupeKey (one get, one remove).'])
    await server.close()
  },
}
