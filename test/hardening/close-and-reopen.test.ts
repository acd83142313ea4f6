/**
 * Issue 10, item 3: `close()` and reopen (page navigation) never sends an
 * entry twice at once, and the answer to a send that outlived its client is
 * nobody's unhandled rejection.
 */
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { watchUnhandledRejections, type RejectionLog } from '../support/unhandled-rejections'

let h: OfflineHarness
let rejections: RejectionLog
beforeEach(async () => {
  h = await createHarness()
  rejections = watchUnhandledRejections()
})
afterEach(async () => {
  rejections.stop()
  await h.dispose()
})

/** Real time for a second sender, if there is one, to put its request on the wire. */
const SETTLE_MS = 400
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

test('closed while replaying an entry, reopened: the entry is not sent again while the first send is on the wire', async () => {
  h.emu.setOnline(false)
  const leaving = h.client()
  await leaving.ready
  const queued = await leaving.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 1 } })
  expect(queued.status).toBe('queued')

  const hold = h.server.hold()
  h.emu.setOnline(true)
  await hold.waitForHeld(1)
  const key = hold.held[0].idempotencyKey as string
  leaving.close()

  const arriving = h.client()
  await arriving.ready
  void arriving.flush()
  await settle()
  expect(h.server.requests.filter((request) => request.idempotencyKey === key)).toHaveLength(1)

  hold.release()
  await waitUntil(() => arriving.status.get().pending === 0, 'the entry is settled')
  await arriving.flush()
  await settle()
  expect(h.server.maxInFlightPerKey).toBe(1)
  expect(h.server.applied).toHaveLength(1)
  expect(arriving.pending()).toEqual([])
  expect(rejections.reasons).toEqual([])
})

test('closed during a live request that then gets a 503, reopened: it is delivered once, never twice at once, and nothing rejects', async () => {
  const retry = { baseDelayMs: 10, maxDelayMs: 50 }
  const leaving = h.client({ retry })
  await leaving.ready
  let answered = 0
  h.server.respondWith(() => (answered++ === 0 ? { status: 503, body: 'busy' } : undefined))
  const hold = h.server.hold()
  const live = leaving.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 2 } })
  await hold.waitForHeld(1)
  const key = hold.held[0].idempotencyKey as string
  leaving.close()

  const arriving = h.client({ retry })
  await arriving.ready
  void arriving.flush()
  await settle()
  expect(h.server.requests.filter((request) => request.idempotencyKey === key)).toHaveLength(1)

  hold.release()
  // The page that left still hears what became of its call: kept, not an exception.
  expect(await live.then((result) => result.status, (error: unknown) => error)).toBe('queued')
  await waitUntil(() => h.server.applied.length === 1, 'the visit is delivered after the 503')
  await waitUntil(() => arriving.status.get().pending === 0, 'nothing is left pending')
  await arriving.flush()
  await settle()
  expect(h.server.applied.map((request) => request.idempotencyKey)).toEqual([key])
  expect(h.server.maxInFlightPerKey).toBe(1)
  expect(rejections.reasons).toEqual([])
})
