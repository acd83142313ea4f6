/**
 * Issue 10, item 2: one namespace, one sender, in one process. Two pages
 * that each call `createOffline` for the same namespace, each with its own
 * `createWxPlatform(wx)`, share one outbox and one engine: a backlog goes
 * out once, never twice at once, and either page may close first.
 */
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

async function queueBacklog(count: number): Promise<string[]> {
  const page = h.page({ namespace: 'n' })
  await page.ready
  const ids: string[] = []
  for (let n = 0; n < count; n++) {
    const result = await page.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n } })
    expect(result.status).toBe('queued')
    ids.push(result.id)
  }
  return ids
}

test('two pages over the same wx replay a backlog of 3 exactly 3 times, never one key twice at once', async () => {
  h.emu.setOnline(false)
  const ids = await queueBacklog(3)
  const other = h.page({ namespace: 'n' })
  await other.ready

  h.server.setLatency(30)
  h.emu.setOnline(true)
  await waitUntil(() => h.server.applied.length === 3 && other.status.get().pending === 0, 'the backlog is delivered')
  // Give a second sender time to show itself before counting.
  await other.flush()

  expect(h.server.requests).toHaveLength(3)
  expect([...h.server.deliveries.keys()].sort()).toEqual([...ids].sort())
  expect(h.server.duplicates).toBe(0)
  expect(h.server.maxInFlightPerKey).toBe(1)
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([0, 1, 2])
})

test('both pages see one outbox: the same pending count, and a request from either is delivered once', async () => {
  h.emu.setOnline(false)
  await queueBacklog(2)
  const [first, second] = [h.page({ namespace: 'n' }), h.page({ namespace: 'n' })]
  await Promise.all([first.ready, second.ready])
  await first.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 2 } })
  await second.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 3 } })

  await waitUntil(() => first.status.get().pending === 4 && second.status.get().pending === 4, 'both pages count 4 pending')
  expect(first.pending().map((item) => item.id)).toEqual(second.pending().map((item) => item.id))

  h.emu.setOnline(true)
  await waitUntil(() => first.status.get().pending === 0 && second.status.get().pending === 0, 'both pages count 0 pending')
  await Promise.all([first.flush(), second.flush()])
  expect(h.server.requests).toHaveLength(4)
  expect(h.server.duplicates).toBe(0)
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([0, 1, 2, 3])
})

test('closing one page leaves the other one working, live and queued', async () => {
  const leaving = h.page({ namespace: 'n' })
  const staying = h.page({ namespace: 'n' })
  await Promise.all([leaving.ready, staying.ready])
  leaving.close()

  const live = await staying.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 0 } })
  expect(live.status).toBe('sent')

  h.emu.setOnline(false)
  const queued = await staying.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 1 } })
  expect(queued.status).toBe('queued')
  h.emu.setOnline(true)
  await waitUntil(() => staying.status.get().pending === 0, 'the queued visit is delivered by the page that stayed')

  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([0, 1])
  expect(h.server.duplicates).toBe(0)
})
