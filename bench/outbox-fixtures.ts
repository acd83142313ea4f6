/**
 * What the outbox benches share: a roomy emulated phone, a visit request of
 * about 1 KB, and measurements of push cost, open time and replay time for
 * the outbox and for the seed's naive queue.
 */
import { createOffline, type OfflineClient } from '../sdk/client/offline-client'
import type { OfflineOptions } from '../sdk/client/offline-options'
import type { Platform } from '../sdk/platform/platform'
import { createWxPlatform } from '../sdk/platform/wx-platform'
import { createWxEmulator, type WxEmulator } from '../sdk/testing'
import type { TestServer } from '../test/support/test-server'
import { median, timeMs } from './bench-section'
import { NaiveQueue, type NaiveReplay } from './naive-queue'

const MIB = 1024 * 1024
export const PUSHES = 50

/** A phone with room for 10,000 entries (and for the baseline's one huge key). */
export function roomyPhone(): { emu: WxEmulator; platform: Platform } {
  // Math.random ids for the bulk fill: secure random bytes cost a timer tick each.
  const emu = createWxEmulator({ online: false, storage: { maxTotalBytes: 256 * MIB, maxItemBytes: 256 * MIB }, features: { getRandomValues: false } })
  return { emu, platform: createWxPlatform(emu.wx, { clock: emu.clock }) }
}

export function visit(i: number, url: string) {
  return { url, method: 'POST' as const, data: { visit: i, customer: `客户 ${i % 97}`, notes: `第${i}次拜访：客户对新产品感兴趣，约定下周再联系。`.repeat(12) } }
}

/** The entry's own size: the request as JSON, in UTF-8 bytes, as WeChat counts storage. */
export const REQUEST_BYTES = Buffer.byteLength(JSON.stringify(visit(0, 'https://example.com/visits')), 'utf8')

export function benchClient(platform: Platform, options: OfflineOptions = {}): OfflineClient {
  return createOffline({ platform, namespace: 'bench', maxStorageBytes: 200 * MIB, ...options })
}

export async function fill(offline: OfflineClient, count: number, url: string, lanes = 1): Promise<void> {
  for (let i = 0; i < count; i++) await offline.request({ ...visit(i, url), lane: lanes > 1 ? `customer-${i % lanes}` : undefined })
}

export interface PushCost {
  writes: number
  bytes: number
  naiveBytes: number
  /** Median ms to open a client (outbox and read cache) over `backlog + PUSHES` pending entries, cold. */
  openMs: number
  /** Median ms for the naive queue to read and parse the same number of entries. */
  naiveOpenMs: number
}

const OPEN_RUNS = 5

/**
 * Storage writes and bytes of one push with `backlog` entries waiting, ours
 * and naive; then, on the same phones, the time to open each queue.
 */
export async function measurePush(backlog: number): Promise<PushCost> {
  const ours = roomyPhone()
  const offline = benchClient(ours.platform)
  await fill(offline, backlog, 'https://example.com/visits')
  const writes = ours.emu.faults.writes
  const bytes = ours.emu.storage.bytesWritten
  await fill(offline, PUSHES, 'https://example.com/visits')
  const cost = { writes: (ours.emu.faults.writes - writes) / PUSHES, bytes: (ours.emu.storage.bytesWritten - bytes) / PUSHES }
  offline.close()
  const openMs = await measureOpen(ours.emu)

  const naive = roomyPhone()
  const queue = new NaiveQueue(naive.platform, 'offlineQueue')
  queue.fill(Array.from({ length: backlog + PUSHES }, (_, i) => visit(i, 'https://example.com/visits')))
  const naiveOpenMs = median(Array.from({ length: OPEN_RUNS }, () => timeMs(() => queue.size())))
  const naiveBefore = naive.emu.storage.bytesWritten
  const naivePushes = backlog >= 10000 ? 5 : PUSHES
  for (let i = 0; i < naivePushes; i++) queue.push(visit(i, 'https://example.com/visits'))
  return { ...cost, naiveBytes: (naive.emu.storage.bytesWritten - naiveBefore) / naivePushes, openMs, naiveOpenMs }
}

/** Median ms of `createOffline` on a cold start (a new run's `wx`, as the app would get), closed right after. */
async function measureOpen(emu: WxEmulator): Promise<number> {
  const times: number[] = []
  for (let run = 0; run < OPEN_RUNS; run++) {
    emu.restart()
    const platform = createWxPlatform(emu.wx, { clock: emu.clock })
    let client: OfflineClient | undefined
    times.push(timeMs(() => (client = benchClient(platform))))
    client?.close()
  }
  await emu.dispose()
  return median(times)
}

/** Milliseconds from the network coming back until `offline` has sent everything (and deleted sent files). */
export async function timeToDrain(emu: WxEmulator, offline: OfflineClient): Promise<number> {
  const drained = new Promise((resolve) => offline.on('drained', resolve))
  const start = Date.now()
  emu.setOnline(true)
  await drained
  return Date.now() - start
}

/** Milliseconds for the outbox to replay `entries` queued entries spread over `lanes`. */
export async function measureReplay(server: TestServer, entries: number, lanes: number, concurrency: number): Promise<number> {
  const { emu, platform } = roomyPhone()
  const offline = benchClient(platform, { concurrency })
  await offline.ready
  await fill(offline, entries, `${server.url}/visits`, lanes)
  server.reset()
  const ms = await timeToDrain(emu, offline)
  if (server.uniqueDeliveries !== entries) throw new Error(`delivered ${server.uniqueDeliveries} of ${entries}`)
  offline.close()
  await emu.dispose()
  return ms
}

/**
 * Milliseconds for the naive serial loop to replay `entries`: by default as
 * the seed's `syncOfflineQueue` does (one write after the loop), or
 * rewriting the queue after each success (see `NAIVE_REPLAYS`).
 */
export async function measureNaiveReplay(server: TestServer, entries: number, mode: NaiveReplay = 'write-once'): Promise<number> {
  const { emu, platform } = roomyPhone()
  const queue = new NaiveQueue(platform, 'offlineQueue')
  queue.fill(Array.from({ length: entries }, (_, i) => visit(i, `${server.url}/visits`)))
  emu.setOnline(true)
  server.reset()
  const start = Date.now()
  await queue.replay(mode)
  const ms = Date.now() - start
  await emu.dispose()
  return ms
}
