/**
 * "Bad input gets a clear, typed error before anything is written."
 *
 * Every bad call must throw or reject an `OfflineError` with a stable code,
 * make no storage write at all, send nothing, and leave what was already
 * stored exactly as it was, and still delivered afterwards.
 */
import {
  createOffline,
  OfflineError,
  Queue,
  QuotaExceededError,
  type HttpRequest,
  type OfflineClient,
  type OfflineErrorCode,
  type OfflineOptions,
  type OfflineRequestOptions,
  type QueueEntry,
  type QueueOptions,
} from 'miniprogram-offline'
import type { WxEmulatorOptions } from 'miniprogram-offline/testing'
// Internals with no public face: the checks the client runs at construction and on every call.
import { checkOfflineOptions, checkPlacement, checkQueueName } from '../../sdk/client/option-checks'
import { checkHeaderFields, countCharacters, parseRequestUrl, urlProblem } from '../../sdk/queue/request-vocabulary'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

const KIB = 1024

let h: OfflineHarness
let queues: Queue[]

async function setUp(emulatorOptions?: WxEmulatorOptions): Promise<void> {
  h = await createHarness(emulatorOptions)
  queues = []
}

beforeEach(() => setUp())
afterEach(async () => {
  for (const queue of queues) queue.close()
  await h.dispose()
})

function openQueue(options: QueueOptions = {}): Queue {
  const queue = new Queue('visits', { platform: h.platform(), namespace: 'test', ...options })
  queues.push(queue)
  return queue
}

/** Every key and value on the emulated phone. */
function storageSnapshot(): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {}
  for (const key of h.emu.wx.getStorageInfoSync().keys) snapshot[key] = h.emu.wx.getStorageSync(key)
  return snapshot
}

/** What a failed call must leave unchanged. */
function observe() {
  return { writes: h.emu.faults.writes, storage: storageSnapshot(), requests: h.server.requests.length }
}

function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 }
  value.self = value
  return value
}

/** Runs `call` and returns what it threw or rejected with (failing the test if it succeeded). */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, but it succeeded')
}

async function expectRefused(call: () => unknown, code: OfflineErrorCode): Promise<void> {
  const before = observe()
  const error = await failureOf(call)
  expect(error).toBeInstanceOf(OfflineError)
  expect(error).toMatchObject({ code })
  expect((error as Error).message.length).toBeGreaterThan(0)
  const after = observe()
  expect(after.writes).toBe(before.writes)
  expect(after.storage).toEqual(before.storage)
  expect(after.requests).toBe(before.requests)
}

type BadRequest = [what: string, build: (base: string) => unknown, code: OfflineErrorCode]

/** Bad `wx.request`-shaped options, valid for both `offline.request()` and a Queue entry's `request`. */
const BAD_REQUESTS: BadRequest[] = [
  ['a relative URL', () => ({ url: '/visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['an ftp:// URL', () => ({ url: 'ftp://example.com/visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a wxfile:// URL', () => ({ url: 'wxfile://usr/visits.json', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['an empty URL', () => ({ url: '', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a URL that is not a string', () => ({ url: 42, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a URL object', (base) => ({ url: new URL(`${base}/v`), method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['no URL at all', () => ({ method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['method PATCH (unknown to wx.request)', (base) => ({ url: `${base}/v`, method: 'PATCH', data: {} }), 'INVALID_ARGUMENT'],
  ['method FOO', (base) => ({ url: `${base}/v`, method: 'FOO', data: {} }), 'INVALID_ARGUMENT'],
  ['a numeric method', (base) => ({ url: `${base}/v`, method: 1, data: {} }), 'INVALID_ARGUMENT'],
  ['data that is a number', (base) => ({ url: `${base}/v`, method: 'POST', data: 12 }), 'INVALID_ARGUMENT'],
  ['data that is NaN', (base) => ({ url: `${base}/v`, method: 'POST', data: NaN }), 'INVALID_ARGUMENT'],
  ['a function inside data', (base) => ({ url: `${base}/v`, method: 'POST', data: { a: 1, f: () => 1 } }), 'UNSERIALIZABLE'],
  ['a circular object as data', (base) => ({ url: `${base}/v`, method: 'POST', data: circular() }), 'UNSERIALIZABLE'],
  ['a BigInt inside data', (base) => ({ url: `${base}/v`, method: 'POST', data: { n: BigInt(12) } }), 'UNSERIALIZABLE'],
  ['a Date inside data', (base) => ({ url: `${base}/v`, method: 'POST', data: { at: new Date(0) } }), 'UNSERIALIZABLE'],
  ['a Date as data', (base) => ({ url: `${base}/v`, method: 'POST', data: new Date(0) }), 'UNSERIALIZABLE'],
  ['NaN inside data', (base) => ({ url: `${base}/v`, method: 'POST', data: { n: NaN } }), 'UNSERIALIZABLE'],
  ['Infinity inside an array', (base) => ({ url: `${base}/v`, method: 'POST', data: [1, Infinity] }), 'UNSERIALIZABLE'],
  ['a Map inside data', (base) => ({ url: `${base}/v`, method: 'POST', data: { m: new Map([[1, 2]]) } }), 'UNSERIALIZABLE'],
  ['a header value that is a number', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-N': 1 } }), 'INVALID_ARGUMENT'],
  ['a header value that is undefined', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-N': undefined } }), 'INVALID_ARGUMENT'],
  ['a header that is a string', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: 'X-N: 1' }), 'INVALID_ARGUMENT'],
  ['timeout 0', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, timeout: 0 }), 'INVALID_ARGUMENT'],
  ['a negative timeout', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, timeout: -1 }), 'INVALID_ARGUMENT'],
  ['timeout NaN', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, timeout: NaN }), 'INVALID_ARGUMENT'],
  ['a timeout that is a string', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, timeout: '100' }), 'INVALID_ARGUMENT'],
  // One vocabulary with reads: the same URLs and headers are refused by get() (test/cache/bad-input.test.ts).
  ['a space in the host', () => ({ url: 'http://exa mple.com/x', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a space in the path', (base) => ({ url: `${base}/a b`, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a line break in the query', (base) => ({ url: `${base}/v?a=1\nb=2`, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a NUL in the path', (base) => ({ url: `${base}/v\u0000`, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['an empty host', () => ({ url: 'http:///visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a host that is only a port', () => ({ url: 'https://:8080/visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a port out of range', () => ({ url: 'https://example.com:70000/visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['credentials in the URL (they would be stored at rest)', (base) => ({ url: base.replace('http://', 'http://rep:secret@') + '/v', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a user name in the URL', (base) => ({ url: base.replace('http://', 'http://rep@') + '/v', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a backslash in the URL', (base) => ({ url: `${base}\\v`, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a lone surrogate in the URL', (base) => ({ url: `${base}/v?q=\ud800`, method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a data: URL', () => ({ url: 'data:text/plain,hi', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a scheme-relative URL', () => ({ url: '//example.com/visits', method: 'POST', data: {} }), 'INVALID_ARGUMENT'],
  ['a header name with a space', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X Trace': '1' } }), 'INVALID_ARGUMENT'],
  ['an empty header name', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { '': '1' } }), 'INVALID_ARGUMENT'],
  ['a header name with a colon', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-Trace:': '1' } }), 'INVALID_ARGUMENT'],
  ['a header name in Chinese', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 门店: '1' } }), 'INVALID_ARGUMENT'],
  ['a header value with CR LF (header injection)', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-Trace': '1\r\nX-Admin: yes' } }), 'INVALID_ARGUMENT'],
  ['a header value with a bare LF', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-Trace': '1\nX-Admin: yes' } }), 'INVALID_ARGUMENT'],
  ['a header value with a NUL', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: { 'X-Trace': 'a\u0000b' } }), 'INVALID_ARGUMENT'],
  ['an array as header', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, header: [['X-Trace', '1']] }), 'INVALID_ARGUMENT'],
]

/** Options that only `offline.request()` has. */
const BAD_OUTBOX_OPTIONS: BadRequest[] = [
  ['a lane that is not a string', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: 7 }), 'INVALID_ARGUMENT'],
  ['a lane over 64 characters', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: 'l'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['an empty dedupeKey', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, dedupeKey: '' }), 'INVALID_ARGUMENT'],
  ['a dedupeKey that is not a string', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, dedupeKey: 9 }), 'INVALID_ARGUMENT'],
  ['metadata with a function', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, metadata: { f: () => 1 } }), 'UNSERIALIZABLE'],
  // Limits count the user's characters (code points), and text that cannot be encoded gets a typed error, never a raw URIError.
  ['a lane of 65 Chinese characters', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: '客'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['a lane of 65 emoji', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: '🚚'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['a lane with a lone surrogate', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: 'route-\ud800' }), 'INVALID_ARGUMENT'],
  ['a lane with a lone low surrogate', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, lane: '\udc00route' }), 'INVALID_ARGUMENT'],
  ['a dedupeKey with a lone surrogate', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, dedupeKey: 'visit:\ud83d' }), 'INVALID_ARGUMENT'],
  ['a dedupeKey of 129 characters', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, dedupeKey: 'k'.repeat(129) }), 'INVALID_ARGUMENT'],
  ['a metadata string with a lone surrogate', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, metadata: { title: '王记\ud800' } }), 'INVALID_ARGUMENT'],
  ['a metadata key with a lone surrogate', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, metadata: { nested: [{ ['\udfff']: 1 }] } }), 'INVALID_ARGUMENT'],
  ['metadata that is an array', (base) => ({ url: `${base}/v`, method: 'POST', data: {}, metadata: ['title'] }), 'INVALID_ARGUMENT'],
]

/** An offline client holding one good entry, to prove bad calls leave it alone. */
async function clientWithOneEntry(options: OfflineOptions = {}): Promise<{ offline: OfflineClient; goodId: string }> {
  h.emu.setOnline(false)
  const offline = h.client(options)
  await offline.ready
  const good = await offline.request({ url: `${h.server.url}/good`, method: 'POST', data: { keep: true }, metadata: { title: 'good' } })
  expect(good.status).toBe('queued')
  return { offline, goodId: good.id }
}

async function expectOnlyGoodDelivered(offline: OfflineClient, goodId: string): Promise<void> {
  expect(offline.pending()).toEqual([expect.objectContaining({ id: goodId, state: 'pending', url: `${h.server.url}/good`, metadata: { title: 'good' } })])
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the good entry is delivered')
  expect(h.server.applied.map((request) => [request.path, request.body, request.idempotencyKey])).toEqual([['/good', { keep: true }, goodId]])
}

describe('offline.request() while offline (the request would be stored)', () => {
  test.each([...BAD_REQUESTS, ...BAD_OUTBOX_OPTIONS])('%s is refused, nothing written, the outbox intact', async (_what, build, code) => {
    const { offline, goodId } = await clientWithOneEntry()
    const queued = jest.fn()
    offline.on('queued', queued)
    await expectRefused(() => offline.request(build(h.server.url) as OfflineRequestOptions), code)
    expect(queued).not.toHaveBeenCalled()
    expect(offline.status.get().pending).toBe(1)
    await expectOnlyGoodDelivered(offline, goodId)
  })
})

// JSON-faithfulness is checked before a live send too, not only when an entry is stored.
describe('offline.request() while online (the request would be sent at once)', () => {
  test.each([...BAD_REQUESTS, ...BAD_OUTBOX_OPTIONS])('%s is refused before anything reaches the server', async (_what, build, code) => {
    const offline = h.client()
    await offline.ready
    await expectRefused(() => offline.request(build(h.server.url) as OfflineRequestOptions), code)
    expect(h.server.requests).toHaveLength(0)
    expect(offline.status.get().pending).toBe(0)
  })
})

describe('queue.pushRequest() / unshiftRequest()', () => {
  async function queueWithOneEntry(): Promise<Queue> {
    h.emu.setOnline(false)
    const queue = openQueue()
    await queue.ready
    await queue.pushRequest({ request: { url: `${h.server.url}/good`, method: 'POST', data: { keep: true } }, metadata: { title: 'good' } })
    return queue
  }

  async function expectQueueIntactAndDelivered(queue: Queue): Promise<void> {
    const entries = await queue.getAll()
    expect(entries).toEqual([expect.objectContaining({ metadata: { title: 'good' }, request: expect.objectContaining({ url: `${h.server.url}/good` }) })])
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => [request.path, request.body])).toEqual([['/good', { keep: true }]])
  }

  test.each(BAD_REQUESTS)('a request with %s is refused, nothing written, the queue intact', async (_what, build, code) => {
    const queue = await queueWithOneEntry()
    await expectRefused(() => queue.pushRequest({ request: build(h.server.url) as HttpRequest }), code)
    await expectRefused(() => queue.unshiftRequest({ request: build(h.server.url) as HttpRequest }), code)
    expect(await queue.size()).toBe(1)
    await expectQueueIntactAndDelivered(queue)
  })

  const BAD_ENTRIES: Array<[string, (base: string) => unknown, OfflineErrorCode]> = [
    ['no entry', () => undefined, 'INVALID_ARGUMENT'],
    ['a null entry', () => null, 'INVALID_ARGUMENT'],
    ['an entry without a request', () => ({ metadata: {} }), 'INVALID_ARGUMENT'],
    ['a timestamp that is NaN', (base) => ({ request: { url: `${base}/v`, method: 'POST' }, timestamp: NaN }), 'INVALID_ARGUMENT'],
    ['a timestamp that is a string', (base) => ({ request: { url: `${base}/v`, method: 'POST' }, timestamp: '2024-01-01' }), 'INVALID_ARGUMENT'],
    ['metadata with a function', (base) => ({ request: { url: `${base}/v`, method: 'POST' }, metadata: { f: () => 1 } }), 'UNSERIALIZABLE'],
    ['metadata that is a Date', (base) => ({ request: { url: `${base}/v`, method: 'POST' }, metadata: { at: new Date(0) } }), 'UNSERIALIZABLE'],
  ]

  test.each(BAD_ENTRIES)('%s is refused, nothing written, the queue intact', async (_what, build, code) => {
    const queue = await queueWithOneEntry()
    await expectRefused(() => queue.pushRequest(build(h.server.url) as QueueEntry), code)
    expect(await queue.size()).toBe(1)
    await expectQueueIntactAndDelivered(queue)
  })
})

describe('accepted at the call, with limits in the user\'s own characters', () => {
  const PLACEMENTS: Array<[string, { lane?: string; dedupeKey?: string }]> = [
    ['a lane of 22 Chinese characters', { lane: '王记超市'.repeat(5) + '配送' }],
    ['a lane of 64 Chinese characters', { lane: '客'.repeat(64) }],
    ['a lane of 64 emoji (128 UTF-16 units)', { lane: '🚚'.repeat(64) }],
    ['a dedupeKey of 128 Chinese characters', { dedupeKey: '拜'.repeat(128) }],
    ['a dedupeKey of 128 emoji', { dedupeKey: '📦'.repeat(128) }],
  ]

  test.each(PLACEMENTS)('%s: queued offline, then delivered once, in its lane', async (_what, placement) => {
    h.emu.setOnline(false)
    const offline = h.client()
    await offline.ready
    const first = await offline.request({ url: `${h.server.url}/placed`, method: 'POST', data: { n: 1 }, ...placement })
    const second = await offline.request({ url: `${h.server.url}/placed`, method: 'POST', data: { n: 2 }, ...placement })
    expect([first.status, second.status]).toEqual(['queued', 'queued'])
    // A dedupeKey keeps only the newer entry; a lane keeps both, in order.
    const expected = placement.dedupeKey === undefined ? [1, 2] : [2]
    expect(offline.pending().map((item) => item.lane)).toEqual(expected.map(() => placement.lane ?? ''))
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'delivered')
    expect(h.server.applied.map((request) => (request.body as { n: number }).n)).toEqual(expected)
  })

  test.each(PLACEMENTS)('%s: sent at once online', async (_what, placement) => {
    const offline = h.client()
    await offline.ready
    const result = await offline.request({ url: `${h.server.url}/placed`, method: 'POST', data: { n: 1 }, ...placement })
    expect(result.status).toBe('sent')
    expect(h.server.applied).toHaveLength(1)
  })

  test.each([
    ['a query and a fragment', (base: string) => `${base}/v?b=2&a=%E7%8E%8B#top`],
    ['an upper-case scheme', (base: string) => base.replace('http://', 'HTTP://') + '/v'],
    ['an explicit path of "/"', (base: string) => `${base}/`],
  ])('a URL with %s is accepted and delivered', async (_what, build) => {
    h.emu.setOnline(false)
    const offline = h.client()
    await offline.ready
    expect((await offline.request({ url: build(h.server.url), method: 'POST', data: { n: 1 } })).status).toBe('queued')
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'delivered')
    expect(h.server.applied).toHaveLength(1)
  })

  test('header names made of any token characters are accepted and reach the server', async () => {
    const offline = h.client()
    await offline.ready
    const header = { "X-Trace_ID.v2!#$%&'*+^`|~": 'a\tb', 'x-empty': '' }
    expect((await offline.request({ url: `${h.server.url}/v`, method: 'POST', data: {}, header })).status).toBe('sent')
    expect(h.server.applied[0].headers).toMatchObject({ "x-trace_id.v2!#$%&'*+^`|~": 'a\tb', 'x-empty': '' })
  })

  test('checkPlacement: the pure check the client runs before anything is stored', () => {
    expect(() => checkPlacement({ lane: '王记超市'.repeat(5) + '配送', dedupeKey: '拜'.repeat(128), metadata: { title: '王记' } })).not.toThrow()
    expect(() => checkPlacement({ lane: '🚚'.repeat(64) })).not.toThrow()
    expect(() => checkPlacement({})).not.toThrow()
    for (const bad of [{ lane: '🚚'.repeat(65) }, { lane: 'a\ud800' }, { dedupeKey: '' }, { dedupeKey: '\udc00' }, { metadata: { t: '\ud800' } }, { lane: 3 }]) {
      expect(() => checkPlacement(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
    expect(() => checkPlacement({ metadata: { f: () => 1 } as never })).toThrow(expect.objectContaining({ code: 'UNSERIALIZABLE' }))
  })
})

describe('lowercase methods are accepted and normalised', () => {
  test('offline.request(): stored and sent as POST', async () => {
    h.emu.setOnline(false)
    const offline = h.client()
    await offline.ready
    const result = await offline.request({ url: `${h.server.url}/lower`, method: 'post' as 'POST', data: { n: 1 } })
    expect(result.status).toBe('queued')
    expect(offline.pending()[0].method).toBe('POST')
    expect(JSON.stringify(storageSnapshot())).toContain('"method":"POST"')
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'sent')
    expect(h.server.applied.map((request) => request.method)).toEqual(['POST'])
  })

  test('offline.request() online: sent as PUT at once', async () => {
    const offline = h.client()
    await offline.ready
    const result = await offline.request({ url: `${h.server.url}/lower`, method: 'put' as 'PUT', data: { n: 1 } })
    expect(result.status).toBe('sent')
    expect(h.server.applied.map((request) => request.method)).toEqual(['PUT'])
  })

  test('queue.pushRequest(): given back and replayed as DELETE', async () => {
    h.emu.setOnline(false)
    const queue = openQueue()
    await queue.ready
    await queue.pushRequest({ request: { url: `${h.server.url}/lower`, method: 'delete' as 'DELETE' } })
    expect((await queue.getAll())[0].request.method).toBe('DELETE')
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => request.method)).toEqual(['DELETE'])
  })
})

describe('bad options', () => {
  const BAD_OPTIONS: Array<[string, Record<string, unknown>]> = [
    ['concurrency 0', { concurrency: 0 }],
    ['concurrency 9', { concurrency: 9 }],
    ['concurrency 2.5', { concurrency: 2.5 }],
    ['concurrency "4"', { concurrency: '4' }],
    ['a negative maxRetentionTime', { maxRetentionTime: -1 }],
    ['maxRetentionTime 0', { maxRetentionTime: 0 }],
    ['maxRetentionTime NaN', { maxRetentionTime: NaN }],
    ['maxRetentionTime Infinity', { maxRetentionTime: Infinity }],
    ['idempotencyHeader "Idempotency Key" (not an HTTP token: every send would fail)', { idempotencyHeader: 'Idempotency Key' }],
    ['an empty idempotencyHeader', { idempotencyHeader: '' }],
    ['idempotencyHeader "Authorization" (a secret header)', { idempotencyHeader: 'Authorization' }],
    ['idempotencyHeader "cookie" (a secret header)', { idempotencyHeader: 'cookie' }],
    ['idempotencyHeader "Content-Length" (owned by the runtime)', { idempotencyHeader: 'Content-Length' }],
    ['idempotencyHeader "Referer" (wx.request refuses it)', { idempotencyHeader: 'Referer' }],
    ['an idempotencyHeader that is a number', { idempotencyHeader: 42 }],
    ['retry.baseDelayMs NaN', { retry: { baseDelayMs: NaN } }],
    ['retry.baseDelayMs 0', { retry: { baseDelayMs: 0 } }],
    ['retry.baseDelayMs -1', { retry: { baseDelayMs: -1 } }],
    ['retry.baseDelayMs "1000"', { retry: { baseDelayMs: '1000' } }],
    ['retry.maxDelayMs Infinity', { retry: { maxDelayMs: Infinity } }],
    ['retry.maxDelayMs below baseDelayMs', { retry: { baseDelayMs: 5000, maxDelayMs: 1000 } }],
    ['retry.maxAttempts 0', { retry: { maxAttempts: 0 } }],
    ['retry.maxAttempts 2.5', { retry: { maxAttempts: 2.5 } }],
    ['retry.maxAttempts NaN', { retry: { maxAttempts: NaN } }],
    ['retry that is a number', { retry: 3 }],
    ['maxStorageBytes 0', { maxStorageBytes: 0 }],
    ['maxStorageBytes NaN', { maxStorageBytes: NaN }],
    ['maxFileBytes -1', { maxFileBytes: -1 }],
    ['maxFileBytes 1.5', { maxFileBytes: 1.5 }],
    ['headers that are a string', { headers: 'Bearer t0ken' }],
    ['headers with a name that is not a token', { headers: { 'X Tenant': '7' } }],
    ['headers with a CR LF in a value', { headers: { 'X-Tenant': '7\r\nX-Admin: yes' } }],
    ['headers with a number as value', { headers: { 'X-Tenant': 7 } }],
    ['classify that is not a function', { classify: 'strict' }],
    ['onAuthExpired that is not a function', { onAuthExpired: 'refresh' }],
    ['persistSecretHeaders that is not a boolean', { persistSecretHeaders: 'yes' }],
    ['blockOnDeadLetter that is not a boolean', { blockOnDeadLetter: 1 }],
  ]

  const GOOD_OPTIONS: Array<[string, Record<string, unknown>]> = [
    ['a namespace of 122 Chinese characters', { namespace: '销'.repeat(122) }],
    ['an idempotencyHeader that is a token', { idempotencyHeader: 'X-Request-Id' }],
    ['retry with every field', { retry: { baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 1 } }],
    ['retry.maxAttempts Infinity (unlimited, the default)', { retry: { maxAttempts: Infinity } }],
    ['a headers provider', { headers: () => ({ Authorization: 'Bearer t' }) }],
    ['static headers', { headers: { 'X-Tenant': '7', Authorization: 'Bearer t' } }],
    ['every function option', { classify: () => undefined, onAuthExpired: () => undefined }],
    ['budgets', { maxStorageBytes: 1024 * 1024, maxFileBytes: 1 }],
  ]

  const BAD_NAMESPACES: Array<[string, unknown]> = [
    ['an empty namespace', ''],
    ['a namespace that is a number', 7],
    ['a namespace with "/"', 'a/b'],
    ['a namespace ending in ~cache', 'sales~cache'],
    ['a namespace of 123 characters', 'n'.repeat(123)],
    ['a namespace of 123 Chinese characters', '销'.repeat(123)],
    ['a namespace with a lone surrogate', 'sales:\ud800'],
    ['a namespace with a control character', 'sales\u0007'],
  ]

  test.each([...BAD_OPTIONS, ...BAD_NAMESPACES.map(([what, namespace]): [string, Record<string, unknown>] => [what, { namespace }])])(
    'checkOfflineOptions refuses %s with INVALID_ARGUMENT',
    (_what, options) => {
      expect(() => checkOfflineOptions(options as OfflineOptions)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', name: 'InvalidArgumentError' }))
    },
  )

  test.each(GOOD_OPTIONS)('checkOfflineOptions accepts %s', (_what, options) => {
    expect(() => checkOfflineOptions(options as OfflineOptions)).not.toThrow()
  })

  test('checkOfflineOptions names the option and the value in its message', () => {
    expect(() => checkOfflineOptions({ idempotencyHeader: 'Idempotency Key' })).toThrow(/idempotencyHeader.*"Idempotency Key"/)
    expect(() => checkOfflineOptions({ retry: { baseDelayMs: NaN } })).toThrow(/retry\.baseDelayMs.*NaN/)
    expect(() => checkOfflineOptions({ retry: { maxAttempts: 0 } })).toThrow(/retry\.maxAttempts.*0/)
  })

  test.each(GOOD_OPTIONS)('createOffline with %s opens, and a request made on it is delivered', async (_what, options) => {
    const offline = h.client({ namespace: 'good', ...options } as OfflineOptions)
    await offline.ready
    const result = await offline.request({ url: `${h.server.url}/good-options`, method: 'POST', data: { n: 1 } })
    expect(result.status).toBe('sent')
    expect(h.server.applied.map((request) => request.path)).toEqual(['/good-options'])
  })

  test.each(BAD_NAMESPACES)('createOffline with %s throws INVALID_ARGUMENT and writes nothing', async (_what, namespace) => {
    await expectRefused(() => createOffline({ platform: h.platform(), namespace } as OfflineOptions), 'INVALID_ARGUMENT')
  })

  test.each(BAD_OPTIONS)('createOffline with %s throws INVALID_ARGUMENT, writes nothing, holds no namespace', async (_what, options) => {
    const { offline: first, goodId } = await clientWithOneEntry()
    first.close()
    await expectRefused(() => createOffline({ platform: h.platform(), namespace: 'test', ...options } as OfflineOptions), 'INVALID_ARGUMENT')
    // The refused client did not keep the namespace: a good one opens it and delivers what was stored.
    // (Online before it starts: going online right after `ready` hits the lost-wakeup bug, see queue-workbox.test.ts.)
    h.emu.setOnline(true)
    const second = h.client()
    await waitUntil(() => h.server.applied.length === 1 && second.status.get().pending === 0, 'the good entry is delivered')
    expect(h.server.applied.map((request) => [request.path, request.body, request.idempotencyKey])).toEqual([['/good', { keep: true }, goodId]])
  })

  test.each(BAD_OPTIONS)('new Queue with %s throws INVALID_ARGUMENT, writes nothing, holds no name', async (_what, options) => {
    h.emu.setOnline(false)
    await expectRefused(() => openQueue(options as QueueOptions), 'INVALID_ARGUMENT')
    const queue = openQueue()
    await queue.ready
    expect(await queue.size()).toBe(0)
  })

  test.each([
    ['an empty name', ''],
    ['"default"', 'default'],
    ['a name with a lone surrogate', 'visits\ud800'],
    ['a name of 65 characters', 'q'.repeat(65)],
    ['a name with a line break', 'visits\n'],
  ])('the Queue constructor refuses %s without writing', async (_what, name) => {
    expect(() => checkQueueName(name)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    await expectRefused(() => new Queue(name, { platform: h.platform(), namespace: 'test' }), 'INVALID_ARGUMENT')
  })

  test('a Queue named in Chinese or emoji, up to 64 characters, opens', () => {
    expect(() => checkQueueName('拜访记录')).not.toThrow()
    expect(() => checkQueueName('📦'.repeat(64))).not.toThrow()
  })

  test('the Queue constructor refuses a bad namespace without writing', async () => {
    await expectRefused(() => openQueue({ namespace: '' }), 'INVALID_ARGUMENT')
    await expectRefused(() => openQueue({ namespace: 'a/b' }), 'INVALID_ARGUMENT')
  })
})

describe('quota', () => {
  const bigBody = (): Record<string, unknown> => ({ note: 'x'.repeat(100 * 1000) })

  test('a request over the remaining budget: QuotaExceededError with an event, the outbox intact and later delivered', async () => {
    const { offline, goodId } = await clientWithOneEntry({ maxStorageBytes: 64 * KIB })
    const pendingBefore = offline.pending()
    const events: Error[] = []
    offline.on('quotaExceeded', ({ error }) => events.push(error))

    await expectRefused(() => offline.request({ url: `${h.server.url}/big`, method: 'POST', data: bigBody() }), 'QUOTA_EXCEEDED')
    expect(events).toHaveLength(1)
    expect(events[0]).toBeInstanceOf(QuotaExceededError)
    expect(events[0]).toMatchObject({ code: 'QUOTA_EXCEEDED' })
    expect((events[0] as QuotaExceededError).requiredBytes).toBeGreaterThan(100 * 1000)
    expect((events[0] as QuotaExceededError).availableBytes).toBeLessThan(64 * KIB)
    expect(offline.pending()).toEqual(pendingBefore)
    expect(offline.status.get().pending).toBe(1)

    // The refused attempt took no budget: a small request still fits.
    const small = await offline.request({ url: `${h.server.url}/small`, method: 'POST', data: { n: 1 } })
    expect(small.status).toBe('queued')
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'delivered')
    expect(h.server.applied.map((request) => [request.path, request.idempotencyKey])).toEqual([
      ['/good', goodId],
      ['/small', small.id],
    ])
  })

  test('queue.pushRequest over the budget: QuotaExceededError with an event, the queue intact', async () => {
    h.emu.setOnline(false)
    const queue = openQueue({ maxStorageBytes: 64 * KIB })
    await queue.ready
    await queue.pushRequest({ request: { url: `${h.server.url}/good`, method: 'POST', data: { keep: true } } })
    const quota = jest.fn()
    queue.on('quotaExceeded', quota)
    await expectRefused(() => queue.pushRequest({ request: { url: `${h.server.url}/big`, method: 'POST', data: bigBody() } }), 'QUOTA_EXCEEDED')
    await expectRefused(() => queue.unshiftRequest({ request: { url: `${h.server.url}/big`, method: 'POST', data: 'y'.repeat(100 * 1000) } }), 'QUOTA_EXCEEDED')
    expect(quota).toHaveBeenCalledTimes(2)
    expect(await queue.size()).toBe(1)
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => request.path)).toEqual(['/good'])
  })

  test('the device storage full (the host app filled it): QuotaExceededError, nothing lost, works again once freed', async () => {
    await h.dispose()
    await setUp({ storage: { maxTotalBytes: 256 * KIB } })
    const { offline, goodId } = await clientWithOneEntry()
    // The host app fills the device with its own key, leaving ~200 bytes.
    const free = h.emu.storage.maxTotalBytes - h.emu.storage.usedBytes
    h.emu.wx.setStorageSync('host', 'h'.repeat(free - 200 - 'host'.length - 2))
    expect(h.emu.storage.maxTotalBytes - h.emu.storage.usedBytes).toBe(200)
    const pendingBefore = offline.pending()
    const events: Error[] = []
    offline.on('quotaExceeded', ({ error }) => events.push(error))

    await expectRefused(() => offline.request({ url: `${h.server.url}/note`, method: 'POST', data: { note: 'n'.repeat(2000) } }), 'QUOTA_EXCEEDED')
    expect(events).toHaveLength(1)
    expect(events[0]).toBeInstanceOf(QuotaExceededError)
    expect(offline.pending()).toEqual(pendingBefore)
    expect((h.emu.wx.getStorageSync('host') as string).length).toBe(free - 206)

    // The host app frees its key: storing works again, and both go out in order.
    h.emu.wx.removeStorageSync('host')
    const later = await offline.request({ url: `${h.server.url}/note`, method: 'POST', data: { note: 'n'.repeat(2000) } })
    expect(later.status).toBe('queued')
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'delivered')
    expect(h.server.applied.map((request) => [request.path, request.idempotencyKey])).toEqual([
      ['/good', goodId],
      ['/note', later.id],
    ])
  })

  test('the device storage full: queue.pushRequest gets QuotaExceededError too', async () => {
    await h.dispose()
    await setUp({ storage: { maxTotalBytes: 128 * KIB } })
    h.emu.setOnline(false)
    const queue = openQueue()
    await queue.ready
    await queue.pushRequest({ request: { url: `${h.server.url}/good`, method: 'POST', data: { keep: true } } })
    const free = h.emu.storage.maxTotalBytes - h.emu.storage.usedBytes
    h.emu.wx.setStorageSync('host', 'h'.repeat(free - 100 - 'host'.length - 2))
    await expectRefused(() => queue.pushRequest({ request: { url: `${h.server.url}/note`, method: 'POST', data: { note: 'n'.repeat(1000) } } }), 'QUOTA_EXCEEDED')
    expect(await queue.size()).toBe(1)
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => request.path)).toEqual(['/good'])
  })
})

describe('the request vocabulary (shared by writes and reads)', () => {
  test.each([
    ['https://example.com', { scheme: 'https', host: 'example.com', port: '', path: '', query: '', fragment: '' }],
    ['HTTPS://Example.COM:443/a/b?c=1&d#e', { scheme: 'https', host: 'Example.COM', port: '443', path: '/a/b', query: 'c=1&d', fragment: 'e' }],
    ['http://[::1]:8080/x', { scheme: 'http', host: '[::1]', port: '8080', path: '/x', query: '', fragment: '' }],
    ['http://127.0.0.1/客户?name=王记', { scheme: 'http', host: '127.0.0.1', port: '', path: '/客户', query: 'name=王记', fragment: '' }],
    ['https://api.example.com?x=1', { scheme: 'https', host: 'api.example.com', port: '', path: '', query: 'x=1', fragment: '' }],
  ])('%s is accepted and split', (url, parts) => {
    expect(urlProblem(url)).toBeUndefined()
    expect(parseRequestUrl(url)).toEqual(parts)
  })

  test.each([
    ['http://exa mple.com/x', /spaces/],
    ['http://example.com/a\u3000b', /spaces/],
    ['https://rep:pw@example.com/', /credentials/],
    ['https://@example.com/', /credentials/],
    ['http://', /host/],
    ['http://:80/', /host/],
    ['http://example.com:/', /port/],
    ['http://example.com:65536/', /port/],
    ['http://example.com:8o/', /port/],
    ['http://[::1/', /host/],
    ['http://exa%6Dple.com/', /host/],
    ['http:/example.com/', /absolute/],
    ['ws://example.com/', /absolute/],
  ])('%j is refused: %s', (url, reason) => {
    expect(urlProblem(url)).toMatch(reason)
    expect(parseRequestUrl(url)).toBeUndefined()
  })

  test('headers: token names, string values, tab allowed, no CR/LF/NUL/DEL', () => {
    expect(checkHeaderFields({ 'X-A': 'a\tb', "!#$%&'*+-.^_`|~": '' })).toEqual({ 'X-A': 'a\tb', "!#$%&'*+-.^_`|~": '' })
    for (const bad of [{ 'X A': '1' }, { 'X-A': '\r' }, { 'X-A': '\n' }, { 'X-A': '\u0000' }, { 'X-A': '\u007f' }, { 'X(A)': '1' }, { 'X-A': ['1'] }]) {
      expect(() => checkHeaderFields(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
  })

  test('limits count code points, not UTF-16 units or bytes', () => {
    expect(countCharacters('王记超市')).toBe(4)
    expect(countCharacters('🚚📦')).toBe(2)
    expect(countCharacters('a\ud800b')).toBe(3)
  })
})
