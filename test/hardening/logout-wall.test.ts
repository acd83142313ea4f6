/**
 * Issue 10, item 4: logout is a wall. After `clear()`, nothing accepted
 * before it is sent again or shown in `pending()`, even if it was on the
 * wire at `clear()` and then got a 503; and nothing user A wrote is ever
 * sent with user B's `Authorization`.
 */
import type { OfflineClient } from 'miniprogram-offline'
import type { RecordedRequest } from '../support/test-server'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

const retry = { baseDelayMs: 10, maxDelayMs: 50 }
let token = 'A'
const headers = (): Record<string, string> => ({ Authorization: `Bearer ${token}` })

const fromUserA = (request: RecordedRequest): boolean => (request.body as { user?: string } | undefined)?.user === 'A'
const sentWithB = (request: RecordedRequest): boolean => request.headers.authorization === 'Bearer B'

/** Every timer (backoffs) fired, a replay asked for, and real time for it to reach the server. */
async function giveItEveryChance(client: OfflineClient): Promise<void> {
  h.emu.clock.advance(10 * 60_000)
  await client.flush()
  await new Promise((resolve) => setTimeout(resolve, 200))
  await client.flush()
}

/** The wall itself: user A's writes are gone, and the server never sees one of them with B's token. */
async function expectWall(client: OfflineClient, sentBeforeClear: number): Promise<void> {
  expect(client.pending()).toEqual([])
  expect(client.status.get().pending).toBe(0)
  const resultB = await client.request({ url: `${h.server.url}/visits`, method: 'POST', data: { user: 'B' } })
  expect(resultB.status).toBe('sent')
  await giveItEveryChance(client)
  expect(h.server.requests.filter(fromUserA)).toHaveLength(sentBeforeClear)
  expect(h.server.requests.filter((request) => fromUserA(request) && sentWithB(request))).toEqual([])
  expect(client.pending()).toEqual([])
}

beforeEach(() => {
  token = 'A'
  h.server.respondWith((request) => (fromUserA(request) ? { status: 503, body: 'maintenance' } : undefined))
})

test('a live send in flight at clear() that then gets a 503 never comes back, not even under the next user', async () => {
  const offline = h.client({ headers, retry })
  await offline.ready
  const hold = h.server.hold(fromUserA)
  const live = offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { user: 'A', visit: 1 } })
  await hold.waitForHeld(1)

  offline.clear()
  token = 'B'
  hold.release()
  await live.catch(() => undefined)

  await expectWall(offline, 1)
})

test('a replay send in flight at clear() that then gets a 503 never comes back, not even under the next user', async () => {
  h.emu.setOnline(false)
  const offline = h.client({ headers, retry })
  await offline.ready
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { user: 'A', visit: 1 } })
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { user: 'A', visit: 2 } })
  const hold = h.server.hold(fromUserA)
  h.emu.setOnline(true)
  await hold.waitForHeld(1)

  offline.clear()
  token = 'B'
  hold.release()
  await waitUntil(() => h.server.inFlight === 0, 'the held send is answered')

  await expectWall(offline, 1)
})

test('user B gets a new namespace while user A\'s client is still open: nothing A wrote is sent with B\'s token', async () => {
  const clientA = h.client({ namespace: 'sales:A', headers, retry })
  await clientA.ready
  const hold = h.server.hold(fromUserA)
  const live = clientA.request({ url: `${h.server.url}/visits`, method: 'POST', data: { user: 'A', visit: 1 } })
  await hold.waitForHeld(1)

  // Logout as apps write it: clear A's outbox, switch the token, open B's namespace; A's page object lingers.
  clientA.clear()
  token = 'B'
  const clientB = h.client({ namespace: 'sales:B', headers, retry })
  await clientB.ready
  hold.release()
  await live.catch(() => undefined)

  await giveItEveryChance(clientA)
  expect(clientA.pending()).toEqual([])
  await expectWall(clientB, 1)
})
