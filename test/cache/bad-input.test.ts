/**
 * Bad input gets a clear, typed error before anything is written or sent:
 * a non-http(s) URL, an unknown strategy, a malformed manifest, bad options.
 */
import { createOfflineReader, type OfflineReader } from '../../sdk/cache'
import { InvalidArgumentError, OfflineError } from '../../sdk/errors'
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
])('get() with %s', async (_what, options) => {
  await expectInvalid(() => reader.get(options() as never))
})

test('get() with no options at all', async () => {
  await expectInvalid(() => reader.get(undefined as never))
})

test.each([['ftp://example.com/a.png'], ['/static/a.png'], ['']])('image(%j)', async (bad) => {
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
