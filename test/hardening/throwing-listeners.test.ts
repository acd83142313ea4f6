/**
 * Issue 10, item 9: app code can't break the SDK. A `status.subscribe` or
 * `on()` listener that throws stops neither replay nor `flush()`: the entry
 * is sent, and the error goes to `options.onError` (else `console.error`).
 */
import type { OfflineClient, OfflineOptions, SyncEvents } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(async () => {
  jest.restoreAllMocks()
  await h.dispose()
})

class AppBug extends Error {}
const throwAppBug = (): never => {
  throw new AppBug('a page handler threw')
}
/** A status listener that renders the first status and throws on every change after it. */
function throwOnChanges(): () => void {
  let calls = 0
  return () => {
    if (calls++ > 0) throwAppBug()
  }
}

/** Queues two visits offline, wires `listen`, brings the network back; resolves when both are delivered and a flush() settled. */
async function replayWith(listen: (client: OfflineClient) => void, options: OfflineOptions = {}): Promise<OfflineClient> {
  h.emu.setOnline(false)
  const offline = h.client(options)
  await offline.ready
  listen(offline)
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 0 } })
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 1 } })
  h.emu.setOnline(true)
  await expect(offline.flush()).resolves.toBeUndefined()
  await waitUntil(() => h.server.applied.length === 2 && offline.status.get().pending === 0, 'both visits are delivered')
  await expect(offline.flush()).resolves.toBeUndefined()
  expect(offline.status.get().pending).toBe(0)
  expect(offline.pending()).toEqual([])
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([0, 1])
  return offline
}

test('a status.subscribe listener that throws on every change: replay goes on, flush() resolves, errors go to onError', async () => {
  const errors: unknown[] = []
  await replayWith((offline) => offline.status.subscribe(throwOnChanges()), { onError: (error) => errors.push(error) })
  expect(errors.length).toBeGreaterThan(0)
  expect(errors.every((error) => error instanceof AppBug)).toBe(true)
})

const EVENTS: Array<keyof SyncEvents> = ['queued', 'sending', 'sent', 'online', 'drained']

test.each(EVENTS)('an on(%s) listener that throws: replay goes on, flush() resolves, the error goes to onError', async (name) => {
  const errors: unknown[] = []
  await replayWith((offline) => offline.on(name, throwAppBug), { onError: (error) => errors.push(error) })
  expect(errors.length).toBeGreaterThan(0)
  expect(errors.every((error) => error instanceof AppBug)).toBe(true)
})

test('without onError a throwing listener is reported through console.error, and replay still goes on', async () => {
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined)
  await replayWith((offline) => {
    offline.status.subscribe(throwOnChanges())
    offline.on('sent', throwAppBug)
  })
  const reported = logged.mock.calls.flat()
  expect(reported.some((argument) => argument instanceof AppBug)).toBe(true)
})
