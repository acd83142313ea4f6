/**
 * Each strategy of `get()` against a real loopback server through the
 * emulator: online, offline, and with a slow server. The server's default
 * route answers `{ ok, id, path }` with a new `id` per request, so a test
 * can tell a fresh answer from a kept one.
 */
import type { GetOptions, OfflineReader } from '../../sdk/cache'
import { CacheMissError, TransportError } from 'miniprogram-offline'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'
import { waitUntil } from '../support/offline-harness'

let h: ReaderHarness
let reader: OfflineReader
beforeEach(async () => {
  h = await createReaderHarness()
  reader = await h.open()
})
afterEach(() => h.dispose())

interface Answer {
  id: number
  path: string
}

function get(path: string, options: Partial<GetOptions> = {}) {
  return reader.get<Answer>({ url: `${h.server.url}${path}`, ...options })
}

/** Fills the cache with one network answer and returns it. */
async function prime(path: string, options: Partial<GetOptions> = {}): Promise<Answer> {
  const result = await get(path, { strategy: 'networkFirst', ...options })
  expect(result.source).toBe('network')
  return result.data
}

/** Polls the kept copy until `accept` holds (a background refresh lands a few ticks after the server answers). */
async function keptCopyBecomes(path: string, accept: (answer: Answer) => boolean): Promise<Answer> {
  const deadline = Date.now() + 3000
  for (;;) {
    const kept = (await get(path, { strategy: 'cacheOnly' })).data
    if (accept(kept)) return kept
    if (Date.now() > deadline) throw new Error(`the kept copy of ${path} never changed`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

describe('networkFirst', () => {
  test('online: every read goes to the network, and the answer is kept', async () => {
    const first = await get('/customers')
    const second = await get('/customers')
    expect(first).toMatchObject({ source: 'network', fromCache: false, stale: false, statusCode: 200 })
    expect(first.cachedAt).toBeUndefined()
    expect(second.data.id).toBeGreaterThan(first.data.id)
    expect(h.server.requests).toHaveLength(2)
    expect((await get('/customers', { strategy: 'cacheOnly' })).data).toEqual(second.data)
  })

  test('offline: the kept copy, marked stale, with when it was kept', async () => {
    const before = h.emu.clock.now()
    const kept = await prime('/customers')
    const after = h.emu.clock.now()
    h.emu.setOnline(false)
    const result = await get('/customers')
    expect(result).toMatchObject({ source: 'cache', fromCache: true, stale: true, statusCode: 200, data: kept })
    expect(result.cachedAt).toBeGreaterThanOrEqual(before)
    expect(result.cachedAt).toBeLessThanOrEqual(after)
  })

  test('offline with nothing kept: the transport error', async () => {
    h.emu.setOnline(false)
    expect(await failureOf(get('/customers'))).toBeInstanceOf(TransportError)
  })

  test('slow server: after networkTimeoutSeconds the kept copy is served; the late answer refreshes the cache', async () => {
    const kept = await prime('/route')
    h.server.setLatency(600)
    const result = await get('/route', { networkTimeoutSeconds: 0.05 })
    expect(result).toMatchObject({ source: 'cache', stale: true, data: kept })
    expect(h.server.requests).toHaveLength(2)
    await keptCopyBecomes('/route', (answer) => answer.id > kept.id)
  })

  test('slow server with nothing kept: waits for the network past networkTimeoutSeconds', async () => {
    h.server.setLatency(200)
    const result = await get('/route', { networkTimeoutSeconds: 0.02 })
    expect(result.source).toBe('network')
  })

  test('slow server and the request timeout: the kept copy', async () => {
    const kept = await prime('/route')
    h.server.setLatency(5000)
    const pending = get('/route', { timeout: 60_000 })
    await h.server.waitForRequests(2)
    h.emu.clock.advance(60_000) // the emulated wx.request gives up: request:fail timeout
    expect(await pending).toMatchObject({ source: 'cache', stale: true, data: kept })
  })

  test('a 5xx answer: the kept copy when there is one, the answer itself otherwise (never kept)', async () => {
    const kept = await prime('/customers')
    h.server.respondWith(() => ({ status: 503, body: { error: 'busy' } }))
    expect(await get('/customers')).toMatchObject({ source: 'cache', stale: true, data: kept })
    const uncached = await get('/other')
    expect(uncached).toMatchObject({ source: 'network', statusCode: 503 })
    expect(await failureOf(get('/other', { strategy: 'cacheOnly' }))).toBeInstanceOf(CacheMissError)
  })

  test('only 2xx answers are kept: a 404 is returned as it is and replaces nothing', async () => {
    const kept = await prime('/customers')
    h.server.respondWith(() => ({ status: 404, body: { error: 'gone' } }))
    expect(await get('/customers')).toMatchObject({ source: 'network', statusCode: 404 })
    expect(await failureOf(get('/missing', { strategy: 'cacheOnly' }))).toBeInstanceOf(CacheMissError)
    h.server.respondWith(undefined)
    expect((await get('/customers', { strategy: 'cacheOnly' })).data).toEqual(kept)
  })
})

describe('cacheFirst', () => {
  test('online: the network once, then the kept copy (not stale)', async () => {
    const first = await get('/customers', { strategy: 'cacheFirst' })
    const second = await get('/customers', { strategy: 'cacheFirst' })
    expect(first.source).toBe('network')
    expect(second).toMatchObject({ source: 'cache', fromCache: true, stale: false, data: first.data })
    expect(h.server.requests).toHaveLength(1)
  })

  test('offline: the kept copy; nothing kept is a transport error', async () => {
    const kept = await prime('/customers')
    h.emu.setOnline(false)
    expect(await get('/customers', { strategy: 'cacheFirst' })).toMatchObject({ source: 'cache', data: kept })
    expect(await failureOf(get('/route', { strategy: 'cacheFirst' }))).toBeInstanceOf(TransportError)
  })

  test('slow server: the kept copy without asking the server', async () => {
    const kept = await prime('/customers')
    h.server.setLatency(5000)
    expect(await get('/customers', { strategy: 'cacheFirst' })).toMatchObject({ source: 'cache', data: kept })
    expect(h.server.requests).toHaveLength(1)
  })
})

describe('staleWhileRevalidate', () => {
  test('online: the kept copy at once (stale), refreshed in the background for the next read', async () => {
    const first = await get('/customers', { strategy: 'staleWhileRevalidate' })
    expect(first.source).toBe('network')
    const second = await get('/customers', { strategy: 'staleWhileRevalidate' })
    expect(second).toMatchObject({ source: 'cache', stale: true, data: first.data })
    await keptCopyBecomes('/customers', (answer) => answer.id > first.data.id)
    expect(h.server.requests).toHaveLength(2)
  })

  test('offline: the kept copy and no revalidation attempt; nothing kept is a transport error', async () => {
    const kept = await prime('/customers')
    h.emu.setOnline(false)
    h.emu.network.resetStats()
    expect(await get('/customers', { strategy: 'staleWhileRevalidate' })).toMatchObject({ source: 'cache', stale: true, data: kept })
    expect(h.emu.network.started).toBe(0)
    expect(await failureOf(get('/route', { strategy: 'staleWhileRevalidate' }))).toBeInstanceOf(TransportError)
  })

  test('slow server: the kept copy before the server answers; one revalidation per key at a time', async () => {
    const kept = await prime('/customers')
    h.server.setLatency(400)
    const results = await Promise.all([1, 2, 3].map(() => get('/customers', { strategy: 'staleWhileRevalidate' })))
    for (const result of results) expect(result).toMatchObject({ source: 'cache', data: kept })
    await keptCopyBecomes('/customers', (answer) => answer.id > kept.id)
    await waitUntil(() => h.server.inFlight === 0, 'every revalidation answered')
    expect(h.server.requests).toHaveLength(2)
  })
})

describe('networkOnly', () => {
  test('online: the network, never kept', async () => {
    const result = await get('/live', { strategy: 'networkOnly' })
    expect(result.source).toBe('network')
    expect(await failureOf(get('/live', { strategy: 'cacheOnly' }))).toBeInstanceOf(CacheMissError)
  })

  test('offline: a transport error even when a copy is kept', async () => {
    await prime('/customers')
    h.emu.setOnline(false)
    expect(await failureOf(get('/customers', { strategy: 'networkOnly' }))).toBeInstanceOf(TransportError)
  })

  test('slow server: the request timeout is a transport error', async () => {
    await prime('/customers')
    h.server.setLatency(5000)
    const pending = get('/customers', { strategy: 'networkOnly', timeout: 1000 })
    await h.server.waitForRequests(2)
    h.emu.clock.advance(1000)
    const error = await failureOf(pending)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).isTimeout).toBe(true)
  })
})

describe('cacheOnly', () => {
  test('online: the kept copy, or a CacheMissError without any request', async () => {
    const error = await failureOf(get('/customers', { strategy: 'cacheOnly' }))
    expect(error).toBeInstanceOf(CacheMissError)
    expect(error).toMatchObject({ code: 'CACHE_MISS', url: `${h.server.url}/customers` })
    expect(h.server.requests).toHaveLength(0)
    const kept = await prime('/customers')
    expect(await get('/customers', { strategy: 'cacheOnly' })).toMatchObject({ source: 'cache', stale: false, data: kept })
  })

  test('offline and slow: the kept copy, never the network', async () => {
    const kept = await prime('/customers')
    h.server.setLatency(5000)
    expect((await get('/customers', { strategy: 'cacheOnly' })).data).toEqual(kept)
    h.emu.setOnline(false)
    expect((await get('/customers', { strategy: 'cacheOnly' })).data).toEqual(kept)
    expect(h.server.requests).toHaveLength(1)
  })
})

describe('cache keys', () => {
  test('the query is part of the key; data and the URL query are one, in any order', async () => {
    const page1 = await prime('/list?page=1&size=10')
    const page2 = await prime('/list', { data: { page: 2, size: 10 } })
    expect(page2.id).not.toBe(page1.id)
    h.emu.setOnline(false)
    expect((await get('/list', { data: { size: 10, page: 1 } })).data).toEqual(page1)
    expect((await get('/list?size=10&page=2')).data).toEqual(page2)
    expect(await failureOf(get('/list?page=3&size=10'))).toBeInstanceOf(TransportError)
  })

  test('cacheKey drops a volatile parameter; a string cacheKey names the copy outright', async () => {
    const dropTimestamp = (url: string) => url.replace(/([?&])_t=[^&]*&?/, '$1').replace(/[?&]$/, '')
    const kept = await prime('/route?_t=1700000000&day=mon', { cacheKey: dropTimestamp })
    h.emu.setOnline(false)
    expect((await get('/route?_t=1700000999&day=mon', { cacheKey: dropTimestamp })).data).toEqual(kept)
    expect(await failureOf(get('/route?_t=1700000999&day=mon'))).toBeInstanceOf(TransportError)
    h.emu.setOnline(true)
    const named = await prime('/route?x=1', { cacheKey: 'today-route' })
    h.emu.setOnline(false)
    expect((await get('/route?x=2', { cacheKey: 'today-route' })).data).toEqual(named)
  })

  test('cacheName keeps separate copies of one URL', async () => {
    const a = await prime('/customers', { cacheName: 'a' })
    const b = await prime('/customers', { cacheName: 'b' })
    h.emu.setOnline(false)
    expect((await get('/customers', { cacheName: 'a' })).data).toEqual(a)
    expect((await get('/customers', { cacheName: 'b' })).data).toEqual(b)
  })

  test('an arraybuffer answer comes back byte for byte from the cache', async () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)
    h.server.serveFile('/static/tile.bin', bytes)
    await prime('/static/tile.bin', { responseType: 'arraybuffer' })
    h.emu.setOnline(false)
    const result = await reader.get<ArrayBuffer>({ url: `${h.server.url}/static/tile.bin`, responseType: 'arraybuffer' })
    expect(result.source).toBe('cache')
    expect(Buffer.from(result.data)).toEqual(Buffer.from(bytes))
  })
})

test('the headers option is sent with every read; cookies are not kept', async () => {
  reader.close()
  reader = await h.open({ headers: async () => ({ Authorization: 'Bearer t1' }) })
  h.server.respondWith(() => ({ body: { ok: true }, headers: { 'set-cookie': 'session=secret', 'x-version': '7' } }))
  await get('/customers', { header: { 'X-Trace': 'abc' } })
  expect(h.server.requests[0].headers).toMatchObject({ authorization: 'Bearer t1', 'x-trace': 'abc' })
  const kept = await get('/customers', { strategy: 'cacheOnly' })
  expect(kept.header['x-version']).toBe('7')
  expect(kept.header['set-cookie']).toBeUndefined()
  const stored = h.emu.wx.getStorageInfoSync().keys.map((key) => JSON.stringify(h.emu.wx.getStorageSync(key)))
  expect(stored.join('\n')).toContain('x-version')
  expect(stored.join('\n')).not.toContain('secret')
})
