/**
 * The SDK's batch client (on the wx emulator) draining its outbox into the
 * server's batch endpoint: a real Express app with its own auth, the
 * idempotency middleware on SQLite, and `batch({ handler: app })`.
 */
import { createOffline, createWxPlatform, type OfflineClient } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { waitUntil } from '../../support/offline-harness'
import { startVisitsApp, type VisitsApp } from './support/visits-app'

let emu: WxEmulator
let app: VisitsApp
let offline: OfflineClient

beforeEach(async () => {
  emu = createWxEmulator({ online: false })
  app = await startVisitsApp()
  offline = createOffline({
    platform: createWxPlatform(emu.wx, { clock: emu.clock }),
    namespace: 'batch-e2e',
    headers: () => ({ Authorization: 'Bearer token-alice' }),
    batch: { url: app.batchUrl },
    retry: { baseDelayMs: 10, maxDelayMs: 10 },
  })
  await offline.ready
})
afterEach(async () => {
  offline.close()
  await app.close()
  await emu.dispose()
})

async function drain(): Promise<void> {
  emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0 && !offline.status.get().syncing, 'the outbox is drained', 15_000)
}

it('delivers every queued visit exactly once, in lane order, as the batch caller, in a few round trips', async () => {
  const lanes = ['customer:c1', 'customer:c2', 'customer:c3']
  for (let n = 0; n < 40; n++) {
    for (const lane of lanes) {
      const result = await offline.request({ url: `${app.origin}/visits`, method: 'POST', data: { customer: `${lane}#${n}` }, lane })
      expect(result.status).toBe('queued')
    }
  }
  await drain()

  const visits = app.visits()
  expect(visits).toHaveLength(120)
  expect(new Set(visits.map((v) => v.key)).size).toBe(120)
  expect(new Set(visits.map((v) => v.user))).toEqual(new Set(['alice']))
  for (const lane of lanes) {
    expect(visits.filter((v) => v.customer.startsWith(`${lane}#`)).map((v) => v.customer)).toEqual(Array.from({ length: 40 }, (_, n) => `${lane}#${n}`))
  }
  const wire = app.wireRequests()
  expect(wire['/visits'] ?? 0).toBe(0)
  expect(wire['/batch']).toBeGreaterThanOrEqual(3)
  expect(wire['/batch']).toBeLessThanOrEqual(6)
})

it('keeps order through a failure: the lane stops at the 503, its later entries wait, and the retry applies each once', async () => {
  for (let n = 0; n < 5; n++) {
    const header = n === 1 ? { 'X-Fail-Once': 'a1' } : undefined
    await offline.request({ url: `${app.origin}/visits`, method: 'POST', data: { customer: `a${n}` }, lane: 'a', header })
  }
  for (let n = 0; n < 3; n++) await offline.request({ url: `${app.origin}/visits`, method: 'POST', data: { customer: `b${n}` }, lane: 'b' })
  await drain()

  const customers = app.visits().map((v) => v.customer)
  expect(customers.filter((c) => c.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4'])
  expect(customers.filter((c) => c.startsWith('b'))).toEqual(['b0', 'b1', 'b2'])
  expect(new Set(app.visits().map((v) => v.key)).size).toBe(8)
  expect(app.wireRequests()['/visits'] ?? 0).toBe(0)
  // One batch met the 503; a later one carried a1 again with the entries it held back.
  expect(app.wireRequests()['/batch']).toBeGreaterThanOrEqual(2)
})
