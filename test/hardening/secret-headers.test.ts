/**
 * Issue 10, item 11: per-request secret headers. An `Authorization` given in
 * a request's own `header` is never written to storage, but kept in memory
 * for this run, so a replay in the same run carries it; after a restart the
 * `headers` provider stands in; with no provider the app is warned when the
 * request is accepted (`warning` with code `SECRET_HEADERS_NOT_KEPT`).
 */
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { rawStorageText } from '../support/raw-storage'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
  // The backend: no Authorization, no entry.
  h.server.respondWith((request) => (request.headers.authorization ? undefined : { status: 401, body: { error: 'login required' } }))
})
afterEach(() => h.dispose())

const SECRET = 'Bearer per-request-secret-7f3a'

test('a request\'s own Authorization is never written to storage, offline or on the wire', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 'visit-offline-m1' }, header: { Authorization: SECRET } })
  expect(rawStorageText(h.emu)).toContain('visit-offline-m1')
  expect(rawStorageText(h.emu)).not.toContain('per-request-secret')

  h.emu.setOnline(true)
  // A lane of its own, so the request goes out live at once.
  const hold = h.server.hold((request) => (request.body as { visit?: string } | undefined)?.visit === 'visit-live-m2')
  const live = offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 'visit-live-m2' }, header: { Authorization: SECRET }, lane: 'live' })
  await hold.waitForHeld(1)
  // Stored before it left (write-ahead), and without the secret.
  expect(rawStorageText(h.emu)).toContain('visit-live-m2')
  expect(rawStorageText(h.emu)).not.toContain('per-request-secret')
  hold.release()
  await live
})

test('queued offline and replayed in the same run, the request carries its own Authorization: no 401, delivered', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 1 }, header: { Authorization: SECRET } })

  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0 && offline.status.get().deadLetters === 0 && h.server.applied.length === 1, 'the visit is delivered')
  expect(h.server.requests.map((request) => request.headers.authorization)).toEqual([SECRET])
})

test('after a restart the headers provider stands in for the secret that was not stored', async () => {
  h.emu.setOnline(false)
  const first = h.client()
  await first.ready
  await first.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 1 }, header: { Authorization: SECRET } })

  h.restart()
  h.emu.setOnline(true)
  const second = h.client({ headers: () => ({ Authorization: 'Bearer from-provider' }) })
  await second.ready
  await waitUntil(() => h.server.applied.length === 1, 'the visit is delivered after the restart')
  expect(h.server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer from-provider'])
})

test('accepting a request with its own Authorization warns SECRET_HEADERS_NOT_KEPT without a headers provider, and not with one', async () => {
  h.emu.setOnline(false)
  const bare = h.client()
  const provided = h.client({ namespace: 'provided', headers: () => ({ Authorization: 'Bearer from-provider' }) })
  await Promise.all([bare.ready, provided.ready])
  const warnings: Array<{ code: string; id: string; headers: string[]; message: string }> = []
  bare.on('warning', (warning) => warnings.push(warning))
  const providedWarnings: unknown[] = []
  provided.on('warning', (warning) => providedWarnings.push(warning))

  const result = await bare.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 1 }, header: { Authorization: SECRET } })
  expect(result.status).toBe('queued')
  expect(warnings).toEqual([{ code: 'SECRET_HEADERS_NOT_KEPT', id: result.id, headers: ['authorization'], message: expect.any(String) }])
  expect(warnings[0].message).not.toContain('per-request-secret')

  const covered = await provided.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 2 }, header: { Authorization: SECRET } })
  expect(covered.status).toBe('queued')
  expect(providedWarnings).toEqual([])
})
