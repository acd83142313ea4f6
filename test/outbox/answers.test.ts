import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

async function queueOffline(offline: ReturnType<OfflineHarness['client']>, count: number, path = '/v') {
  h.emu.setOnline(false)
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push((await offline.request({ url: `${h.server.url}${path}`, method: 'POST', data: { n: i } })).id)
  return ids
}

test('a 5xx burst: entries stay, back off, and are delivered once the server recovers', async () => {
  const offline = h.client({ retry: { baseDelayMs: 1000, maxDelayMs: 60_000 } })
  await offline.ready
  await queueOffline(offline, 3)
  let failures = 4
  h.server.respondWith(() => (failures-- > 0 ? { status: 503 } : undefined))
  const retries: number[] = []
  offline.on('retryScheduled', ({ nextAttemptAt }) => retries.push(nextAttemptAt - h.emu.clock.now()))
  h.emu.setOnline(true)
  await waitUntil(() => retries.length === 1, 'a retry is scheduled')
  expect(offline.status.get().pending).toBe(3)
  // Exponential with jitter: the n-th delay is between half and all of base * 2^(n-1).
  for (let attempt = 1; attempt <= 4; attempt++) {
    await waitUntil(() => retries.length === attempt, `retry ${attempt}`)
    const delay = retries[attempt - 1]
    expect(delay).toBeGreaterThanOrEqual(500 * 2 ** (attempt - 1) - 5)
    expect(delay).toBeLessThanOrEqual(1000 * 2 ** (attempt - 1))
    h.emu.clock.advance(delay)
  }
  await waitUntil(() => offline.status.get().pending === 0, 'delivered after the burst')
  expect(h.server.uniqueDeliveries).toBe(3)
  expect(h.server.applied).toHaveLength(3)
  expect(h.server.requests).toHaveLength(7)
})

test('Retry-After is honoured when it asks for longer than the backoff', async () => {
  const offline = h.client({ retry: { baseDelayMs: 100 } })
  await offline.ready
  await queueOffline(offline, 1)
  let first = true
  h.server.respondWith(() => (first ? ((first = false), { status: 429, headers: { 'Retry-After': '120' } }) : undefined))
  const scheduled = new Promise<number>((resolve) => offline.on('retryScheduled', ({ nextAttemptAt }) => resolve(nextAttemptAt)))
  h.emu.setOnline(true)
  const nextAttemptAt = await scheduled
  expect(nextAttemptAt - h.emu.clock.now()).toBeGreaterThan(119_000)
  expect(offline.status.get().nextRetryAt).toBe(nextAttemptAt)
  h.emu.clock.advance(60_000)
  await offline.flush()
  expect(offline.status.get().pending).toBe(1)
  h.emu.clock.advance(60_000)
  await waitUntil(() => offline.status.get().pending === 0, 'sent after Retry-After')
})

test('409 (the original still in progress) is retried, not dead-lettered', async () => {
  const offline = h.client({ retry: { baseDelayMs: 10, maxDelayMs: 10 } })
  await offline.ready
  await queueOffline(offline, 1)
  let conflicts = 2
  h.server.respondWith(() => (conflicts-- > 0 ? { status: 409 } : undefined))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'delivered after 409s')
  expect(offline.status.get().deadLetters).toBe(0)
})

test('401: onAuthExpired refreshes the token, the entry is resent with it, and no token is ever stored', async () => {
  let token = 'old-token'
  const offline = h.client({
    headers: () => ({ Authorization: `Bearer ${token}` }),
    onAuthExpired: () => {
      token = 'new-token'
    },
  })
  await offline.ready
  h.emu.setOnline(false)
  await offline.request({
    url: `${h.server.url}/v`,
    method: 'POST',
    data: { n: 1 },
    header: { Authorization: 'Bearer given-on-request', Cookie: 'sid=1', 'X-Trace': 't1' },
  })
  const stored = JSON.stringify(h.emu.wx.getStorageInfoSync().keys.map((key) => h.emu.wx.getStorageSync(key)))
  expect(stored).not.toMatch(/token|given-on-request|sid=1/)
  expect(stored).toContain('t1')

  h.server.respondWith((request) => (request.headers.authorization === 'Bearer new-token' ? undefined : { status: 401 }))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'delivered after refresh')
  expect(h.server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer old-token', 'Bearer new-token'])
  expect(h.server.requests[1].headers['x-trace']).toBe('t1')
})

test('other 4xx: dead letter kept with the answer, does not block its lane, and retry(id) sends it again', async () => {
  const offline = h.client()
  await offline.ready
  const [bad] = await queueOffline(offline, 1, '/bad')
  await offline.request({ url: `${h.server.url}/good`, method: 'POST', data: { n: 2 } })
  let reject = true
  h.server.respondWith((request) => (request.path === '/bad' && reject ? { status: 422, body: { error: 'missing customer' } } : undefined))
  const dead = new Promise((resolve) => offline.on('deadLettered', resolve))
  h.emu.setOnline(true)
  await dead
  await waitUntil(() => offline.status.get().pending === 0, 'the good entry passes the dead one')
  expect(offline.status.get().deadLetters).toBe(1)
  expect(offline.pending()).toEqual([
    expect.objectContaining({ id: bad, state: 'deadLetter', attempts: 1, lastError: expect.objectContaining({ statusCode: 422, data: { error: 'missing customer' } }) }),
  ])

  // A cold start keeps the dead letter.
  h.restart()
  const again = h.client()
  await again.ready
  expect(again.status.get().deadLetters).toBe(1)
  reject = false
  await again.retry(bad)
  await waitUntil(() => again.status.get().deadLetters === 0 && again.status.get().pending === 0, 'retried')
  // The server refused the first key for good, so the retry goes under a new one.
  const badRequests = h.server.requests.filter((request) => request.path === '/bad')
  expect(badRequests).toHaveLength(2)
  expect(badRequests[0].idempotencyKey).toBe(bad)
  expect(badRequests[1].idempotencyKey).not.toBe(bad)
  expect(h.server.applied.filter((request) => request.path === '/bad')).toHaveLength(2)
})

test('blockOnDeadLetter holds back the rest of the lane until the dead letter is discarded', async () => {
  const offline = h.client({ blockOnDeadLetter: true })
  await offline.ready
  const [bad] = await queueOffline(offline, 1, '/bad')
  await offline.request({ url: `${h.server.url}/good`, method: 'POST', data: {} })
  h.server.respondWith((request) => (request.path === '/bad' ? { status: 400 } : undefined))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1, 'dead-lettered')
  await offline.flush()
  expect(h.server.requests.map((request) => request.path)).toEqual(['/bad'])
  offline.discard(bad)
  await offline.flush()
  expect(h.server.requests.map((request) => request.path)).toEqual(['/bad', '/good'])
  expect(offline.pending()).toEqual([])
})

test('maxAttempts turns a repeatedly failing entry into a dead letter', async () => {
  const offline = h.client({ retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 } })
  await offline.ready
  await queueOffline(offline, 1)
  h.server.respondWith(() => ({ status: 500 }))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1, 'dead after 3 attempts')
  expect(h.server.requests).toHaveLength(3)
})

test('retention: entries older than maxRetentionTime are removed with an expired event', async () => {
  const offline = h.client({ maxRetentionTime: 60 })
  await offline.ready
  const [old] = await queueOffline(offline, 1)
  h.emu.clock.advance(30 * 60_000)
  const [young] = await queueOffline(offline, 1)
  h.emu.clock.advance(31 * 60_000)
  const expired: string[] = []
  offline.on('expired', ({ entry }) => expired.push(entry.id))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the young one is sent')
  expect(expired).toEqual([old])
  expect([...h.server.deliveries.keys()]).toEqual([young])
})

test('dedupeKey: a newer pending entry replaces the older one', async () => {
  const offline = h.client()
  await offline.ready
  h.emu.setOnline(false)
  const superseded: string[] = []
  offline.on('superseded', ({ entry }) => superseded.push(entry.id))
  const first = await offline.request({ url: `${h.server.url}/status`, method: 'PUT', data: { s: 'arrived' }, dedupeKey: 'visit:12' })
  await offline.request({ url: `${h.server.url}/other`, method: 'POST', data: {} })
  await offline.request({ url: `${h.server.url}/status`, method: 'PUT', data: { s: 'done' }, dedupeKey: 'visit:12' })
  expect(superseded).toEqual([first.id])
  expect(offline.status.get().pending).toBe(2)
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'sent')
  expect(h.server.applied.map((request) => [request.path, request.body])).toEqual([
    ['/other', {}],
    ['/status', { s: 'done' }],
  ])
})

test('app show and a live success trigger a replay; hide pauses it', async () => {
  const offline = h.client({ retry: { baseDelayMs: 3_600_000 } })
  await offline.ready
  await queueOffline(offline, 1, '/queued')
  h.emu.hide()
  h.emu.setOnline(true)
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(h.server.requests).toHaveLength(0)
  h.emu.show()
  await waitUntil(() => offline.status.get().pending === 0, 'replayed on show')

  // Offline-but-reachable: the next live answer proves reachability and starts a replay.
  h.emu.setOnline(false)
  await offline.request({ url: `${h.server.url}/queued-2`, method: 'POST', data: {} })
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'replayed on reconnect')
  expect(h.server.applied.map((request) => request.path)).toEqual(['/queued', '/queued-2'])
})

test('status reports syncing and inFlight while a replay runs, and subscribers see every change', async () => {
  const offline = h.client()
  await offline.ready
  await queueOffline(offline, 2)
  const seen: Array<{ pending: number; inFlight: number; syncing: boolean }> = []
  offline.status.subscribe(({ pending, inFlight, syncing }) => seen.push({ pending, inFlight, syncing }))
  h.server.setLatency(20)
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0 && !offline.status.get().syncing, 'drained')
  expect(seen[0]).toEqual({ pending: 2, inFlight: 0, syncing: false })
  expect(seen).toContainEqual({ pending: 2, inFlight: 1, syncing: true })
  expect(seen).toContainEqual({ pending: 1, inFlight: 1, syncing: true })
  expect(seen[seen.length - 1]).toEqual({ pending: 0, inFlight: 0, syncing: false })
  expect(offline.status.get().lastSyncAt).toBeDefined()
})

test('a dead letter that ran out of attempts is retried under its own key: its last attempt may have been applied', async () => {
  const offline = h.client({ retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 } })
  await offline.ready
  const [id] = await queueOffline(offline, 1)
  let first = true
  h.server.respondWith(() => (first ? ((first = false), { status: 503 }) : undefined))
  // The second (last) attempt is applied, but its answer never arrives.
  h.server.dropNextConnections(2, 'after-apply')
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1, 'dead after its attempts')
  await offline.retry(id)
  await waitUntil(() => offline.status.get().deadLetters === 0 && offline.status.get().pending === 0, 'retried')
  expect(new Set(h.server.requests.map((request) => request.idempotencyKey))).toEqual(new Set([id]))
  expect(h.server.applied).toHaveLength(1)
})

test('an entry refused under a tight storage budget still becomes a dead letter (moving it needs no extra room)', async () => {
  const offline = h.client({ maxStorageBytes: 300 })
  await offline.ready
  await queueOffline(offline, 1)
  h.server.respondWith(() => ({ status: 422 }))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1 && offline.status.get().pending === 0, 'dead-lettered')
  expect(h.server.requests).toHaveLength(1)
})
