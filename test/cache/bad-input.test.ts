/**
 * Bad input gets a clear, typed error before anything is written or sent:
 * a non-http(s) URL, an unknown strategy, a malformed manifest, bad options.
 */
import { createOfflineReader, type OfflineReader } from '../../sdk/cache'
import { InvalidArgumentError, OfflineError } from 'miniprogram-offline'
import { NetworkMonitor } from '../../sdk/sync/network-monitor'
import { createManifestSite } from '../support/manifest-site'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'

let h: ReaderHarness
let reader: OfflineReader
beforeEach(async () => {
  h = await createReaderHarness()
  reader = await h.open()
})
afterEach(() => h.dispose())

function observe() {
  return { writes: h.emu.faults.writes, requests: h.server.requests.length, started: h.emu.network.started }
}

/** `call` must throw or reject an InvalidArgumentError, having written and sent nothing. */
async function expectInvalid(call: () => unknown): Promise<void> {
  const before = observe()
  let failure: unknown
  try {
    await call()
  } catch (error) {
    failure = error
  }
  expect(failure).toBeInstanceOf(InvalidArgumentError)
  expect(failure).toMatchObject({ code: 'INVALID_ARGUMENT' })
  expect((failure as OfflineError).message.length).toBeGreaterThan(10)
  expect(observe()).toEqual(before)
}

const url = () => `${h.server.url}/customers`

test.each([
  ['an ftp URL', () => ({ url: 'ftp://example.com/a' })],
  ['a relative URL', () => ({ url: '/customers' })],
  ['a local file path', () => ({ url: 'wxfile://usr/a.json' })],
  ['a number for url', () => ({ url: 42 })],
  ['no url', () => ({})],
  ['an unknown strategy', () => ({ url: url(), strategy: 'fastest' })],
  ['networkTimeoutSeconds with cacheFirst', () => ({ url: url(), strategy: 'cacheFirst', networkTimeoutSeconds: 3 })],
  ['a negative networkTimeoutSeconds', () => ({ url: url(), networkTimeoutSeconds: -1 })],
  ['a zero timeout', () => ({ url: url(), timeout: 0 })],
  ['a POST', () => ({ url: url(), method: 'POST' })],
  ['an array as data', () => ({ url: url(), data: [1, 2] })],
  ['a header with a number', () => ({ url: url(), header: { 'X-N': 1 } })],
  ['a cacheName with a slash', () => ({ url: url(), cacheName: 'a/b' })],
  ['a cacheKey function returning nothing', () => ({ url: url(), cacheKey: () => '' })],
  ['an unknown responseType', () => ({ url: url(), responseType: 'blob' })],
  // One vocabulary with writes: the same URLs and headers are refused by request() (test/outbox/bad-input.test.ts).
  ['a space in the host', () => ({ url: 'http://exa mple.com/x' })],
  ['a space in the path', () => ({ url: `${url()}/a b` })],
  ['a NUL in the path', () => ({ url: `${url()}\u0000` })],
  ['a DEL in the query', () => ({ url: `${url()}?a=\u007f` })],
  ['an empty host', () => ({ url: 'http:///customers' })],
  ['a port out of range', () => ({ url: 'http://example.com:0/customers' })],
  ['credentials in the URL', () => ({ url: url().replace('http://', 'http://rep:secret@') })],
  ['a lone surrogate in the URL', () => ({ url: `${url()}?q=\udc00` })],
  ['a backslash in the URL', () => ({ url: `${url()}\\x` })],
  ['a header name with a space', () => ({ url: url(), header: { 'X Trace': '1' } })],
  ['an empty header name', () => ({ url: url(), header: { '': '1' } })],
  ['a header value with CR LF', () => ({ url: url(), header: { 'X-Trace': '1\r\nX-Admin: yes' } })],
  ['a header value with a bare LF', () => ({ url: url(), header: { 'X-Trace': '1\nX-Admin: yes' } })],
  ['an array as header', () => ({ url: url(), header: [['X-Trace', '1']] })],
])('get() with %s', async (_what, options) => {
  await expectInvalid(() => reader.get(options() as never))
})

test('get() with no options at all', async () => {
  await expectInvalid(() => reader.get(undefined as never))
})

test.each([['ftp://example.com/a.png'], ['/static/a.png'], [''], ['http://exa mple.com/a.png'], ['https://rep:pw@example.com/a.png'], ['https://example.com/a\nb.png']])('image(%j)', async (bad) => {
  await expectInvalid(() => reader.image(bad))
})

test.each([
  ['no version', { cache: [] }],
  ['an empty version', { version: '', cache: [] }],
  ['cache not an array', { version: '1', cache: 'a.json' }],
  ['a relative URL in an object manifest', { version: '1', cache: ['/api/customers'] }],
  ['an ftp URL', { version: '1', cache: ['ftp://example.com/a'] }],
  ['an unknown kind', { version: '1', cache: [{ url: 'https://example.com/a', as: 'blob' }] }],
  ['a network pattern that is not a string', { version: '1', cache: [], network: [3] }],
  ['a fallback without its resource', { version: '1', cache: [], fallback: [{ pattern: 'https://example.com/' }] }],
  ['an array', ['https://example.com/a']],
  ['a number', 7],
  ['a non-http URL', 'wxfile://usr/manifest.json'],
  ['a resource with a space in the host', { version: '1', cache: ['http://exa mple.com/a'] }],
  ['a resource with credentials', { version: '1', cache: ['https://rep:pw@example.com/a'] }],
  ['a relative resource with a space', { version: '1', cache: ['a b.json'] }],
  ['a manifest URL with credentials', 'https://rep:pw@example.com/manifest.json'],
])('manifest() with %s', async (_what, source) => {
  await expectInvalid(() => reader.manifest(source as never))
  expect(reader.manifest.status).toBe('UNCACHED')
})

test('update() before any manifest() is a typed error', async () => {
  await expectInvalid(() => reader.manifest.update())
})

test('a manifest URL answering a malformed document: error event with an InvalidArgumentError, the old version kept', async () => {
  const site = createManifestSite(h.server)
  reader.manifest(site.document())
  await reader.manifest.update()
  h.server.respondWith((request) => (request.path === '/m.json' ? { body: { version: 'v2', cache: [{ url: 3 }] } } : undefined))
  const errors: Error[] = []
  reader.manifest.on('error', ({ error }) => errors.push(error))
  reader.manifest(`${h.server.url}/m.json`)
  await expect(reader.manifest.update()).rejects.toBeInstanceOf(InvalidArgumentError)
  expect(errors[0]).toBeInstanceOf(InvalidArgumentError)
  expect(errors[0].message).toContain('cache[0].url')
  h.server.respondWith((request) => (request.path === '/m.json' ? { body: 'not json {', headers: { 'content-type': 'text/plain' } } : undefined))
  await expect(reader.manifest.update()).rejects.toBeInstanceOf(InvalidArgumentError)
  expect(reader.manifest.version).toBe('v1')
})

test.each([
  ['maxBytes 0', { maxBytes: 0 }],
  ['maxFileBytes 1.5', { maxFileBytes: 1.5 }],
  ['a bad cache name', { caches: { 'a b': { maxEntries: 3 } } }],
  ['a negative maxAgeSeconds', { caches: { customers: { maxAgeSeconds: -1 } } }],
  ['a fractional maxEntries', { caches: { customers: { maxEntries: 1.5 } } }],
  ['an unknown default strategy', { strategy: 'fastest' }],
  ['headers as a string', { headers: 'Bearer x' }],
  ['a header name that is not a token', { headers: { 'X Tenant': '7' } }],
  ['a header value with CR LF', { headers: { 'X-Tenant': '7\r\nX-Admin: yes' } }],
  ['a header value that is a number', { headers: { 'X-Tenant': 7 } }],
  ['a malformed manifest', { manifest: { version: 1 } }],
])('createOfflineReader with %s: a typed error, and the namespace stays free', async (_what, options) => {
  const monitor = new NetworkMonitor(h.platform().network)
  const open = () => createOfflineReader({ platform: h.platform(), namespace: 'other', network: monitor, options: options as never })
  await expectInvalid(open)
  // Nothing was left holding the namespace.
  createOfflineReader({ platform: h.platform(), namespace: 'other', network: monitor }).close()
})

test('a namespace too long for the read side store is a typed error', async () => {
  const monitor = new NetworkMonitor(h.platform().network)
  await expectInvalid(() => createOfflineReader({ platform: h.platform(), namespace: 'n'.repeat(125), network: monitor }))
})

test('a headers provider that gives a bad header: get() rejects with a typed error and nothing is sent', async () => {
  await h.dispose()
  h = await createReaderHarness()
  reader = await h.open({ headers: () => ({ 'X Tenant': '7' }) })
  await expectInvalid(() => reader.get({ url: url() }))
})

test.each([['a b.json'], ['//exa mple.com/a.json'], ['/a\nb.json']])(
  'a manifest URL answering a relative resource %j: resolved, then refused as an absolute one would be; nothing kept',
  async (resource) => {
    h.server.respondWith((request) => (request.path === '/m.json' ? { body: { version: 'v1', cache: [resource] } } : undefined))
    reader.manifest(`${h.server.url}/m.json`)
    const writes = h.emu.faults.writes
    await expect(reader.manifest.update()).rejects.toBeInstanceOf(InvalidArgumentError)
    expect(h.emu.faults.writes).toBe(writes)
    expect(reader.manifest.version).toBeUndefined()
  },
)
