/**
 * Cache against outbox when storage is short. Cached responses live in their
 * own store (`<namespace>~cache`) with their own budget, are evicted first
 * when room is needed, and a queued write is never evicted for a cached
 * read. The outbox's store is stood in for by a DurableStore on the
 * namespace the client uses, so these tests hold whatever the client does
 * on top.
 */
import type { OfflineReader, OfflineReaderOptions } from '../../sdk/cache'
import { InvalidArgumentError, QuotaExceededError } from 'miniprogram-offline'
import { DurableStore } from '../../sdk/store'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'

const KIB = 1024

let h: ReaderHarness
let reader: OfflineReader
let outbox: DurableStore | undefined

async function setUp(deviceBytes: number, options: OfflineReaderOptions = {}): Promise<void> {
  h = await createReaderHarness({ storage: { maxTotalBytes: deviceBytes } })
  // `/big/<n>` answers about `kb` KiB of JSON.
  h.server.respondWith((request) => {
    const kb = Number(request.query.kb ?? 0)
    return kb > 0 ? { body: { path: request.path, pad: 'x'.repeat(kb * KIB) } } : undefined
  })
  outbox = DurableStore.open(h.platform().storage, { namespace: 'test', maxBytes: deviceBytes })
  reader = await h.open(options)
}

afterEach(async () => {
  outbox?.close()
  outbox = undefined
  await h.dispose()
})

function big(n: number, kb: number) {
  return reader.get<{ path: string }>({ url: `${h.server.url}/big/${n}?kb=${kb}` })
}

async function isKept(n: number, kb: number): Promise<boolean> {
  return reader.get({ url: `${h.server.url}/big/${n}?kb=${kb}`, strategy: 'cacheOnly' }).then(
    () => true,
    () => false,
  )
}

/** Every outbox key and value on the phone. */
function outboxSnapshot(): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {}
  for (const key of h.emu.wx.getStorageInfoSync().keys) if (key.startsWith('mpo/test/')) snapshot[key] = h.emu.wx.getStorageSync(key)
  return snapshot
}

function bytesUnder(prefix: string): number {
  let bytes = 0
  for (const key of h.emu.wx.getStorageInfoSync().keys) {
    if (key.startsWith(prefix)) bytes += Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(h.emu.wx.getStorageSync(key)))
  }
  return bytes
}

/** Queues "visits" of `kb` KiB into the outbox store until `count` are in or the device is full. */
function queueVisits(count: number, kb: number): number {
  let stored = 0
  for (let i = 0; i < count; i++) {
    try {
      outbox?.put(`q/${String(i).padStart(4, '0')}`, { visit: i, notes: '拜访'.repeat((kb * KIB) / 6) })
      stored += 1
    } catch (error) {
      if (error instanceof QuotaExceededError) break
      throw error
    }
  }
  return stored
}

test('cached responses stay within their own budget, least recently used out first, outside the outbox budget', async () => {
  await setUp(10 * 1024 * KIB, { maxBytes: 64 * KIB })
  for (let n = 0; n < 20; n++) expect((await big(n, 8)).source).toBe('network')
  expect(bytesUnder('mpo/test~cache/')).toBeLessThanOrEqual(64 * KIB)
  expect(await isKept(19, 8)).toBe(true)
  expect(await isKept(0, 8)).toBe(false)
  // The outbox's budget is whole: its store holds none of the cache's bytes.
  expect(outbox?.usage().bytes).toBeLessThan(KIB)
})

test('a full device: a new copy evicts older cached copies, never an outbox entry', async () => {
  await setUp(256 * KIB, { maxBytes: 1024 * KIB })
  expect(queueVisits(12, 8)).toBe(12)
  const queued = outboxSnapshot()
  for (let n = 0; n < 30; n++) expect((await big(n, 8)).statusCode).toBe(200)
  expect(await isKept(29, 8)).toBe(true)
  expect(await isKept(0, 8)).toBe(false)
  expect(outboxSnapshot()).toEqual(queued)
})

test('nothing left to evict: the read still returns the network answer, keeps nothing, and touches no outbox entry', async () => {
  await setUp(256 * KIB, { maxBytes: 1024 * KIB })
  const stored = queueVisits(1000, 8)
  expect(stored).toBeGreaterThan(20)
  const queued = outboxSnapshot()
  const result = await big(1, 32)
  expect(result).toMatchObject({ source: 'network', statusCode: 200, data: { path: '/big/1' } })
  expect(await isKept(1, 32)).toBe(false)
  expect(outboxSnapshot()).toEqual(queued)
})

test('freeSpace: a queued write that meets a full device gets room from the cache, least recently used first', async () => {
  await setUp(256 * KIB, { maxBytes: 1024 * KIB })
  for (let n = 0; n < 25; n++) await big(n, 8)
  await reader.get({ url: `${h.server.url}/big/0?kb=8`, strategy: 'cacheOnly' }) // /big/0 is now recently used
  let queued = 0
  let freedTotal = 0
  for (let i = 0; i < 10; i++) {
    try {
      outbox?.put(`q/${i}`, { visit: i, notes: 'x'.repeat(16 * KIB) })
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error
      // What the outbox does: free the write's size from the cache, then retry once.
      const freed = reader.freeSpace(error.requiredBytes)
      expect(freed).toBeGreaterThanOrEqual(error.requiredBytes)
      freedTotal += freed
      outbox?.put(`q/${i}`, { visit: i, notes: 'x'.repeat(16 * KIB) })
    }
    queued += 1
  }
  expect(queued).toBe(10)
  expect(freedTotal).toBeGreaterThan(0)
  expect(await isKept(0, 8)).toBe(true)
  expect(await isKept(1, 8)).toBe(false)
  expect(await isKept(24, 8)).toBe(true)
})

test('freeSpace with nothing cached frees nothing; a bad size is a typed error', async () => {
  await setUp(256 * KIB)
  expect(reader.freeSpace(10 * KIB)).toBe(0)
  expect(() => reader.freeSpace(-1)).toThrow(InvalidArgumentError)
  expect(() => reader.freeSpace(Number.NaN)).toThrow(InvalidArgumentError)
})
