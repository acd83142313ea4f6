/**
 * Issue 10, item 8: bookkeeping never refuses a user's write. An error page
 * is kept with a waiting entry only as a bounded excerpt, and after the host
 * app wipes storage the client measures again, accepts writes into its whole
 * budget, and says what was lost (`storageLost`).
 */
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { wipeStorage } from '../support/raw-storage'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

const KIB = 1024
const HOUR = 60 * 60_000
const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

/** A 74 KB HTML error page, as a gateway in maintenance sends. */
const ERROR_PAGE = `<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>${'<p>系统维护中，请稍后再试 / maintenance</p>'.repeat(1400)}</body></html>`

test('100 waiting visits meet a 503 with a 74 KB error page: the outbox stays small and the next visit is accepted', async () => {
  expect(utf8Bytes(ERROR_PAGE)).toBeGreaterThan(74 * 1000)
  h.emu.setOnline(false)
  const offline = h.client({ concurrency: 8, retry: { baseDelayMs: HOUR, maxDelayMs: HOUR } })
  await offline.ready
  for (let customer = 0; customer < 100; customer++) {
    await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { customer }, lane: `customer-${customer}` })
  }
  const before = offline.usage().storageBytes

  h.server.respondWith(() => ({ status: 503, body: ERROR_PAGE, headers: { 'content-type': 'text/html; charset=utf-8' } }))
  h.emu.setOnline(true)
  await waitUntil(() => h.server.requests.length >= 100, 'every visit meets the error page')
  await waitUntil(() => offline.status.get().inFlight === 0 && !offline.status.get().syncing, 'the replay settles', 10_000)

  // Each entry keeps at most a 2 KiB excerpt (with its own bookkeeping, under 4 KiB): far below an error page each (7.4 MB).
  expect(offline.usage().storageBytes - before).toBeLessThan(100 * 4 * KIB)
  const items = offline.pending()
  expect(items).toHaveLength(100)
  for (const item of items) {
    expect(item.lastError?.statusCode).toBe(503)
    expect(item.lastError?.truncated).toBe(true)
    const excerpt = item.lastError?.data
    expect(typeof excerpt).toBe('string')
    expect(utf8Bytes(excerpt as string)).toBeLessThanOrEqual(2 * KIB + utf8Bytes('…'))
    expect((excerpt as string).endsWith('…')).toBe(true)
    expect(ERROR_PAGE.startsWith((excerpt as string).slice(0, -1))).toBe(true)
  }

  h.emu.setOnline(false)
  const next = await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { customer: 100 } })
  expect(next.status).toBe('queued')
})

test('after the host app wipes storage, the client accepts writes into its whole budget again and reports storageLost', async () => {
  h.emu.setOnline(false)
  const budget = 64 * KIB
  const offline = h.client({ maxStorageBytes: budget })
  await offline.ready
  const lost: string[][] = []
  offline.on('storageLost', ({ ids }) => lost.push([...ids]))
  const visit = (n: number) => offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n, note: '走访记录'.repeat(330) } })

  const wiped: string[] = []
  for (let n = 0; n < 12; n++) wiped.push((await visit(n)).id)
  expect(offline.usage().storageBytes).toBeGreaterThan(budget * 0.7)

  wipeStorage(h.emu)

  const kept: string[] = []
  for (let n = 12; n < 24; n++) {
    const result = await visit(n)
    expect(result.status).toBe('queued')
    kept.push(result.id)
  }
  await waitUntil(() => lost.length > 0, 'storageLost is emitted')
  expect(lost).toHaveLength(1)
  expect([...lost[0]].sort()).toEqual([...wiped].sort())
  expect(offline.pending().map((item) => item.id)).toEqual(kept)
  expect(offline.usage().storageBytes).toBeLessThanOrEqual(budget)

  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the visits written after the wipe are delivered')
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([...Array(12).keys()].map((n) => n + 12))
})
