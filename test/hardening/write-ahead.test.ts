/**
 * Issue 10, item 1: a live send is write-ahead. `request()` while online
 * stores the entry before the request leaves, so a kill while it is on the
 * wire loses nothing: the next start sends it again under the same
 * `Idempotency-Key`, and the server applies it once.
 */
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { rawStorageText } from '../support/raw-storage'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

test('an online request is in pending() and in storage while it is on the wire, and gone once the server took it', async () => {
  const offline = h.client()
  await offline.ready
  const hold = h.server.hold()
  const sent = offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 'wa-marker-sent' } })
  await hold.waitForHeld(1)

  expect(offline.pending().map((item) => item.url)).toEqual([`${h.server.url}/visits`])
  expect(rawStorageText(h.emu)).toContain('wa-marker-sent')

  hold.release()
  const result = await sent
  expect(result.status).toBe('sent')
  expect(offline.pending()).toEqual([])
  expect(rawStorageText(h.emu)).not.toContain('wa-marker-sent')
  expect(h.server.applied).toHaveLength(1)
})

test('a live request the server refuses was stored while on the wire, resolves rejected, and leaves nothing stored', async () => {
  const offline = h.client()
  await offline.ready
  h.server.respondWith(() => ({ status: 422, body: { error: 'customer is closed' } }))
  const hold = h.server.hold()
  const refused = offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 'wa-marker-refused' } })
  await hold.waitForHeld(1)
  expect(rawStorageText(h.emu)).toContain('wa-marker-refused')

  hold.release()
  const result = await refused
  expect(result.status).toBe('rejected')
  expect(offline.pending()).toEqual([])
  expect(offline.status.get().deadLetters).toBe(0)
  expect(rawStorageText(h.emu)).not.toContain('wa-marker-refused')
})

test('killed while a live request is on the wire: the next start resends it under the same key and the server applies it once', async () => {
  const first = h.client()
  await first.ready
  const hold = h.server.hold()
  void first.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 'wa-marker-killed' } })
  await hold.waitForHeld(1)
  const key = hold.held[0].idempotencyKey as string
  expect(key).toBeDefined()

  // The phone dies with the request on the wire; the server got it and applies it, the answer is lost.
  h.emu.faults.kill()
  hold.release()
  await waitUntil(() => h.server.applied.length === 1, 'the server applies the request it received')

  h.restart()
  const second = h.client()
  await second.ready
  await waitUntil(() => (h.server.deliveries.get(key) ?? 0) >= 2, 'the visit is sent again after the restart')
  await waitUntil(() => second.status.get().pending === 0, 'the resent visit is settled')

  expect(h.server.requests.filter((request) => request.idempotencyKey === key)).toHaveLength(2)
  expect(h.server.requests.every((request) => request.idempotencyKey === key)).toBe(true)
  expect(h.server.applied).toHaveLength(1)
  expect(h.server.duplicates).toBe(1)
  expect(rawStorageText(h.emu)).not.toContain('wa-marker-killed')
})
