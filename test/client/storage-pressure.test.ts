import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

test('a full device: cached reads are evicted so a queued write fits; queued writes are never evicted for reads', async () => {
  const big = 'c'.repeat(200_000)
  h.server.respondWith((request) => (request.path === '/route' ? { body: { big } } : undefined))
  const offline = h.client()
  await offline.ready
  await offline.get({ url: `${h.server.url}/route` })
  h.emu.setOnline(false)
  const queued = await offline.request({ url: `${h.server.url}/v1`, method: 'POST', data: { n: 1 } })

  // The host app fills the phone until less than the new visit's size is left.
  for (let i = 0; h.emu.storage.usedBytes < h.emu.storage.maxTotalBytes - 150_000; i++) h.emu.wx.setStorageSync(`host-${i}`, 'h'.repeat(100_000))
  for (let i = 0; h.emu.storage.usedBytes < h.emu.storage.maxTotalBytes - 20_000; i++) h.emu.wx.setStorageSync(`host-small-${i}`, 'h'.repeat(10_000))

  const visit = await offline.request({ url: `${h.server.url}/v2`, method: 'POST', data: { notes: 'n'.repeat(60_000) } })
  expect(visit.status).toBe('queued')
  expect(offline.pending().map((item) => item.id)).toEqual([queued.id, visit.id])
  // The cached route made the room.
  await expect(offline.get({ url: `${h.server.url}/route`, strategy: 'cacheOnly' })).rejects.toMatchObject({ code: 'CACHE_MISS' })

  // Reading while the device is full caches nothing, fails nothing, and leaves the outbox alone.
  h.emu.setOnline(true)
  const read = await offline.get({ url: `${h.server.url}/route`, strategy: 'networkOnly' })
  expect(read.data).toEqual({ big })
  await waitUntil(() => offline.status.get().pending === 0, 'both visits delivered')
  expect(h.server.applied.map((request) => request.path).filter((path) => path !== '/route')).toEqual(['/v1', '/v2'])
})
