import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('online: a request is sent at once and resolves sent with the answer', async () => {
  const offline = h.client()
  await offline.ready
  const result = await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { customer: 12 } })
  expect(result.status).toBe('sent')
  expect(result.status === 'sent' && result.response.statusCode).toBe(200)
  expect(h.server.applied).toHaveLength(1)
  expect(h.server.applied[0].body).toEqual({ customer: 12 })
  expect(h.server.applied[0].idempotencyKey).toMatch(UUID_V4)
  expect(offline.status.get().pending).toBe(0)
})

test('offline: N requests are queued, then delivered exactly once and in order when the network returns', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const result = await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: i } })
    expect(result.status).toBe('queued')
    ids.push(result.id)
  }
  expect(offline.status.get()).toMatchObject({ pending: 20, online: false })
  expect(h.server.requests).toHaveLength(0)

  const drained = new Promise((resolve) => offline.on('drained', resolve))
  h.emu.setOnline(true)
  await drained
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([...Array(20).keys()])
  expect(h.server.applied.map((request) => request.idempotencyKey)).toEqual(ids)
  expect(h.server.duplicates).toBe(0)
  expect(offline.status.get()).toMatchObject({ pending: 0, inFlight: 0, online: true })
})

test('a transport failure while online queues the request under the key it was first sent with', async () => {
  const offline = h.client({ retry: { baseDelayMs: 60_000 } })
  await offline.ready
  h.server.dropNextConnections(1, 'after-apply')
  const result = await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 1 } })
  expect(result.status).toBe('queued')
  await offline.flush()
  await waitUntil(() => offline.status.get().pending === 0, 'the entry is delivered')
  // Both attempts carried one key, so the server applied the visit once.
  expect(h.server.requests).toHaveLength(2)
  expect(new Set(h.server.requests.map((request) => request.idempotencyKey)).size).toBe(1)
  expect(h.server.applied).toHaveLength(1)
})

test('a live request waits behind entries already queued in its lane', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  await offline.request({ url: `${h.server.url}/a`, method: 'POST', data: { n: 1 } })
  h.server.setLatency(30)
  h.emu.setOnline(true)
  const second = await offline.request({ url: `${h.server.url}/b`, method: 'POST', data: { n: 2 } })
  expect(second.status).toBe('queued')
  await waitUntil(() => h.server.applied.length === 2, 'both arrive')
  expect(h.server.applied.map((request) => request.path)).toEqual(['/a', '/b'])
})

test('lanes keep their own order and replay in parallel, never above concurrency', async () => {
  h.emu.setOnline(false)
  const offline = h.client({ concurrency: 3 })
  await offline.ready
  for (let i = 0; i < 30; i++) {
    await offline.request({ url: `${h.server.url}/lane${i % 6}`, method: 'POST', data: { n: i }, lane: `customer-${i % 6}` })
  }
  h.server.setLatency(20)
  const drained = new Promise((resolve) => offline.on('drained', resolve))
  h.emu.setOnline(true)
  await drained
  expect(h.server.applied).toHaveLength(30)
  expect(h.server.maxInFlight).toBe(3)
  for (let lane = 0; lane < 6; lane++) {
    const order = h.server.applied.filter((request) => request.path === `/lane${lane}`).map((request) => (request.body as { n: number }).n)
    expect(order).toEqual([0, 1, 2, 3, 4].map((k) => lane + 6 * k))
  }
})

test('the app killed mid-replay: a new instance delivers the rest, resends carry the same key', async () => {
  h.emu.setOnline(false)
  const first = h.client()
  await first.ready
  const ids: string[] = []
  for (let i = 0; i < 10; i++) ids.push((await first.request({ url: `${h.server.url}/v`, method: 'POST', data: { n: i } })).id)
  h.server.setLatency(40)
  h.emu.setOnline(true)
  await h.server.waitForRequests(4)
  h.restart()
  h.server.setLatency(0)
  const second = h.client()
  await second.ready
  await waitUntil(() => second.status.get().pending === 0, 'the backlog drains after restart')
  expect(h.server.uniqueDeliveries).toBe(10)
  expect([...h.server.deliveries.keys()].sort()).toEqual([...ids].sort())
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([...Array(10).keys()])
})

test('a flapping network loses nothing and applies nothing twice', async () => {
  const offline = h.client({ retry: { baseDelayMs: 10, maxDelayMs: 50 } })
  await offline.ready
  h.server.setLatency(5)
  const results = []
  for (let i = 0; i < 30; i++) {
    if (i % 4 === 0) h.emu.setOnline(!h.emu.isOnline)
    results.push(await offline.request({ url: `${h.server.url}/flap`, method: 'POST', data: { n: i } }))
  }
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'everything is delivered', 8000)
  expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual([...Array(30).keys()])
  // A send cut off by the network may arrive again, always under its first key.
  expect(h.server.uniqueDeliveries).toBe(30)
  expect(new Set(results.map((result) => result.id)).size).toBe(30)
})

test('two clients of one namespace share its outbox; different namespaces never share entries', async () => {
  h.emu.setOnline(false)
  const rep1 = h.client({ namespace: 'sales:1' })
  const samePage = h.client({ namespace: 'sales:1' })
  const rep2 = h.client({ namespace: 'sales:2' })
  await rep1.request({ url: `${h.server.url}/v`, method: 'POST', data: { rep: 1 } })
  expect(rep1.status.get().pending).toBe(1)
  expect(samePage.status.get().pending).toBe(1)
  expect(rep2.status.get().pending).toBe(0)
  rep1.clear()
  expect(rep1.status.get().pending).toBe(0)
  expect(h.emu.wx.getStorageInfoSync().keys.filter((key) => key.startsWith('mpo/sales:1/') && key.includes('.o/default/'))).toEqual([])
})

test('a live send that fails keeps its place ahead of requests queued behind it meanwhile', async () => {
  const offline = h.client({ retry: { baseDelayMs: 10, maxDelayMs: 10 } })
  await offline.ready
  let first = true
  h.server.respondWith((request) => {
    if (request.path === '/a' && first) {
      first = false
      return { status: 503, delayMs: 60 }
    }
    return undefined
  })
  const a = offline.request({ url: `${h.server.url}/a`, method: 'POST', data: {} })
  await h.server.waitForRequests(1)
  // /a is in flight: /b must queue behind it, and replay must not send /b first.
  const b = await offline.request({ url: `${h.server.url}/b`, method: 'POST', data: {} })
  expect(b.status).toBe('queued')
  await offline.flush()
  expect((await a).status).toBe('queued')
  await waitUntil(() => offline.status.get().pending === 0, 'both delivered')
  expect(h.server.applied.map((request) => request.path)).toEqual(['/a', '/b'])
})

test('entries stored by 0.1.0 (the lane named in the key) are still read and delivered in their lane after an upgrade', async () => {
  h.emu.setOnline(false)
  const { DurableStore } = await import('miniprogram-offline')
  const store = DurableStore.open(h.platform().storage, { namespace: 'test' })
  const accepted = h.emu.clock.now()
  const old = (seq: number, id: string, lane: string, n: number) =>
    store.put(`o/default/p/${seq.toString(36)}/${accepted.toString(36)}/${id}/${encodeURIComponent(lane)}`, {
      request: { url: `${h.server.url}/visits`, method: 'POST', data: { n } },
    })
  old(0, '11111111-1111-4111-8111-111111111111', '客户 12', 1)
  old(1, '22222222-2222-4222-8222-222222222222', '', 2)
  store.close()

  const offline = h.client()
  await offline.ready
  expect(offline.pending().map((item) => [item.id, item.lane])).toEqual([
    ['11111111-1111-4111-8111-111111111111', '客户 12'],
    ['22222222-2222-4222-8222-222222222222', ''],
  ])
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the old entries are delivered')
  expect(h.server.applied.map((request) => [request.idempotencyKey, (request.body as { n: number }).n]).sort()).toEqual([
    ['11111111-1111-4111-8111-111111111111', 1],
    ['22222222-2222-4222-8222-222222222222', 2],
  ])
})
