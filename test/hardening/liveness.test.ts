/**
 * Issue 10, item 7: liveness. A host that never answers does not starve the
 * other lanes; backoff does not trust a wall clock set back; retention does
 * not punish visits recorded while the phone's clock read 1970.
 *
 * `emu.clock.jump(ms)` moves the phone's wall clock without firing timers,
 * as a user changing the time in the settings does; `advance(ms)` is time
 * really passing (timers due meanwhile fire).
 */
import type { OfflineClient } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** Lets emulated time pass a minute at a time (timers fire), with real time for requests to travel. */
async function letMinutesPass(minutes: number, until: () => boolean): Promise<void> {
  for (let minute = 0; minute < minutes && !until(); minute++) {
    h.emu.clock.advance(MINUTE)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A visit whose replay gets a 503 and then waits an hour before its next attempt. */
async function visitInHourLongBackoff(): Promise<OfflineClient> {
  h.emu.setOnline(false)
  const offline = h.client({ retry: { baseDelayMs: 60 * MINUTE, maxDelayMs: 60 * MINUTE } })
  await offline.ready
  expect((await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit: 1 } })).status).toBe('queued')
  let answered = 0
  h.server.respondWith(() => (answered++ === 0 ? { status: 503, body: 'busy' } : undefined))
  const scheduled = new Promise((resolve) => offline.on('retryScheduled', resolve))
  h.emu.setOnline(true)
  await scheduled
  // The backoff holds: a minute later the visit still waits.
  h.emu.clock.advance(MINUTE)
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(h.server.requests).toHaveLength(1)
  return offline
}

test('concurrency 1: an entry whose host never answers does not starve 5 healthy lanes', async () => {
  h.emu.setOnline(false)
  const offline = h.client({ concurrency: 1, retry: { baseDelayMs: 1000, maxDelayMs: 5 * MINUTE } })
  await offline.ready
  await offline.request({ url: `${h.server.url}/hang`, method: 'POST', data: { stuck: true }, lane: 'stuck', timeout: 200 })
  for (let lane = 0; lane < 5; lane++) {
    await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { lane }, lane: `customer-${lane}` })
  }

  h.emu.setOnline(true)
  await letMinutesPass(30, () => h.server.applied.length === 5)

  expect(h.server.applied.map((request) => (request.body as { lane: number }).lane).sort()).toEqual([0, 1, 2, 3, 4])
  // The last answer may still be on its way to the client.
  await waitUntil(() => offline.pending().length === 1, 'the healthy lanes leave the outbox')
  expect(offline.pending().map((item) => item.lane)).toEqual(['stuck'])
})

test('a clock set back a day during a backoff: flush() sends at once', async () => {
  const offline = await visitInHourLongBackoff()
  h.emu.clock.jump(-DAY)

  await offline.flush()
  await waitUntil(() => h.server.applied.length === 1 && offline.pending().length === 0, 'the visit is sent on flush()')
})

test('a clock set back a day during a backoff: the network coming back sends at once', async () => {
  const offline = await visitInHourLongBackoff()
  h.emu.clock.jump(-DAY)

  h.emu.setOnline(false)
  h.emu.setOnline(true)
  await waitUntil(() => h.server.applied.length === 1 && offline.pending().length === 0, 'the visit is sent when the network returns')
})

test('visits recorded while the phone clock read 1970 are delivered once the clock is corrected, not expired', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const expired: string[] = []
  offline.on('expired', ({ entry }) => expired.push(entry.id))

  const skew = h.emu.clock.now() - 1000
  h.emu.clock.jump(-skew)
  expect(new Date(h.emu.clock.now()).getUTCFullYear()).toBe(1970)
  for (let visit = 0; visit < 3; visit++) {
    expect((await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { visit } })).status).toBe('queued')
  }

  h.emu.clock.jump(skew)
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the 1970 visits leave the outbox')

  expect(expired).toEqual([])
  expect(h.server.applied.map((request) => (request.body as { visit: number }).visit)).toEqual([0, 1, 2])
})
