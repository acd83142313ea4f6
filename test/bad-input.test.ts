/**
 * The bad-input catalogue: every public entry point fed wrong types, missing
 * fields, huge values and non-http URLs; storage written by someone else
 * under the SDK's keys; storage from a future format; a full device. Each
 * gets a typed error with a stable code, and nothing already stored (in
 * storage or on disk) is lost or changed.
 */
import {
  createOffline,
  createUniPlatform,
  createWxPlatform,
  OfflineError,
  Queue,
  type MiniProgramRuntime,
  type OfflineClient,
  type OfflineErrorCode,
} from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from './support/offline-harness'

let h: OfflineHarness
let offline: OfflineClient

/** Everything the SDK has at rest: every storage key with its value, every user file with its size. */
async function snapshot(): Promise<{ storage: Record<string, unknown>; files: string[] }> {
  const storage: Record<string, unknown> = {}
  for (const key of h.emu.wx.getStorageInfoSync().keys.sort()) storage[key] = h.emu.wx.getStorageSync(key)
  const fs = h.platform().fs
  const files: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
      const stats = await fs.stat(`${dir}/${name}`)
      if (stats.isDirectory) await walk(`${dir}/${name}`)
      else files.push(`${dir}/${name}:${stats.size}`)
    }
  }
  await walk(fs.userDataPath)
  return { storage, files }
}

async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('expected a typed error, but the call succeeded')
}

beforeEach(async () => {
  h = await createHarness()
  h.server.respondWith((request) => (request.path === '/customers' ? { body: { customers: ['王记超市'] } } : undefined))
  offline = h.client()
  await offline.ready
  // Something stored of every kind, to prove a refusal touches none of it.
  await offline.get({ url: `${h.server.url}/customers` })
  h.emu.setOnline(false)
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { kept: true }, metadata: { title: '已保存' } })
  await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: h.emu.createTempFile(Buffer.from('photo')), name: 'photo' })
})
afterEach(() => h.dispose())

const URL_CASES: Array<[string, unknown]> = [
  ['a relative path', '/visits'],
  ['ftp', 'ftp://example.com/x'],
  ['a local file', 'wxfile://usr/x'],
  ['an empty string', ''],
  ['a number', 42],
  ['undefined', undefined],
  // One vocabulary for writes, uploads, task steps and reads.
  ['a space in the host', 'http://exa mple.com/x'],
  ['a space in the path', 'https://example.com/a b'],
  ['a tab', 'https://example.com/a\tb'],
  ['a control character', 'https://example.com/a\u0007'],
  ['an empty host', 'http:///x'],
  ['credentials', 'https://rep:secret@example.com/x'],
  ['a lone surrogate', 'https://example.com/\ud800'],
  ['a javascript: URL', 'javascript:alert(1)'],
]

type Case = [string, (base: string) => unknown, OfflineErrorCode]

const CATALOGUE: Case[] = [
  ...URL_CASES.map(([what, url]): Case => [`request() with ${what} as url`, () => offline.request({ url } as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`get() with ${what} as url`, () => offline.get({ url } as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`image() with ${what}`, () => offline.image(url as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`uploadFile() with ${what} as url`, () => offline.uploadFile({ url, filePath: h.emu.createTempFile(Buffer.from('p')), name: 'photo' } as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`task() with ${what} as a request step's url`, () => offline.task({ steps: [{ request: { url, method: 'POST' } }] } as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`task() with ${what} as an upload step's url`, () => offline.task({ steps: [{ upload: { url, filePath: h.emu.createTempFile(Buffer.from('p')), name: 'photo' } }] } as never), 'INVALID_ARGUMENT']),
  ...URL_CASES.map(([what, url]): Case => [`manifest() with ${what} as a resource`, () => offline.manifest({ version: 'v9', cache: [url] } as never), 'INVALID_ARGUMENT']),
  ['request() with no options', () => offline.request(undefined as never), 'INVALID_ARGUMENT'],
  ['request() with a header name that is not a token', (base) => offline.request({ url: `${base}/v`, header: { 'X Trace': '1' } }), 'INVALID_ARGUMENT'],
  ['request() with a CR LF in a header value', (base) => offline.request({ url: `${base}/v`, header: { 'X-Trace': '1\r\nX-Admin: yes' } }), 'INVALID_ARGUMENT'],
  ['get() with a header name that is not a token', (base) => offline.get({ url: `${base}/customers`, header: { 'X Trace': '1' } }), 'INVALID_ARGUMENT'],
  ['get() with a CR LF in a header value', (base) => offline.get({ url: `${base}/customers`, header: { 'X-Trace': '1\r\nX-Admin: yes' } }), 'INVALID_ARGUMENT'],
  ['uploadFile() with a header name that is not a token', (base) => offline.uploadFile({ url: `${base}/upload`, filePath: h.emu.createTempFile(Buffer.from('p')), name: 'photo', header: { 'X Trace': '1' } }), 'INVALID_ARGUMENT'],
  ['task() with a CR LF in a step header', (base) => offline.task({ steps: [{ request: { url: `${base}/v`, header: { 'X-Trace': '1\nX-Admin: yes' } } }] }), 'INVALID_ARGUMENT'],
  ['request() with a lane with a lone surrogate', (base) => offline.request({ url: `${base}/v`, lane: 'route-\ud800' }), 'INVALID_ARGUMENT'],
  ['request() with a dedupeKey with a lone surrogate', (base) => offline.request({ url: `${base}/v`, dedupeKey: '\udc00' }), 'INVALID_ARGUMENT'],
  ['request() with a metadata string with a lone surrogate', (base) => offline.request({ url: `${base}/v`, metadata: { title: '王记\ud800' } }), 'INVALID_ARGUMENT'],
  ['uploadFile() with a lane of 65 Chinese characters', (base) => offline.uploadFile({ url: `${base}/upload`, filePath: h.emu.createTempFile(Buffer.from('p')), name: 'photo', lane: '客'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['uploadFile() with a lane with a lone surrogate', (base) => offline.uploadFile({ url: `${base}/upload`, filePath: h.emu.createTempFile(Buffer.from('p')), name: 'photo', lane: '\ud800' }), 'INVALID_ARGUMENT'],
  ['task() with a dedupeKey with a lone surrogate', (base) => offline.task({ dedupeKey: 'd\ud800', steps: [{ request: { url: `${base}/v` } }] }), 'INVALID_ARGUMENT'],
  ['task() with an empty dedupeKey', (base) => offline.task({ dedupeKey: '', steps: [{ request: { url: `${base}/v` } }] }), 'INVALID_ARGUMENT'],
  ['request() with a string instead of options', () => offline.request('https://x.com' as never), 'INVALID_ARGUMENT'],
  ['request() with method PATCH (wx has none)', (base) => offline.request({ url: `${base}/v`, method: 'PATCH' } as never), 'INVALID_ARGUMENT'],
  ['request() with a function in data', (base) => offline.request({ url: `${base}/v`, method: 'POST', data: { f: () => 1 } } as never), 'UNSERIALIZABLE'],
  ['request() with a BigInt in data', (base) => offline.request({ url: `${base}/v`, method: 'POST', data: { n: BigInt(1) } } as never), 'UNSERIALIZABLE'],
  ['request() with a cycle in data', (base) => {
    const data: Record<string, unknown> = {}
    data.self = data
    return offline.request({ url: `${base}/v`, method: 'POST', data })
  }, 'UNSERIALIZABLE'],
  ['request() with a number as a header value', (base) => offline.request({ url: `${base}/v`, header: { 'X-N': 1 } } as never), 'INVALID_ARGUMENT'],
  ['request() with a negative timeout', (base) => offline.request({ url: `${base}/v`, timeout: -1 }), 'INVALID_ARGUMENT'],
  ['request() with a lane of 65 characters', (base) => offline.request({ url: `${base}/v`, lane: 'x'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['request() with 7 MB of data (over the 6 MiB budget)', (base) => offline.request({ url: `${base}/v`, method: 'POST', data: { big: 'x'.repeat(7 * 1024 * 1024) } }), 'QUOTA_EXCEEDED'],
  ['request() with 7 MB of metadata', (base) => offline.request({ url: `${base}/v`, metadata: { big: 'x'.repeat(7 * 1024 * 1024) } }), 'QUOTA_EXCEEDED'],
  ['uploadFile() with no filePath', (base) => offline.uploadFile({ url: `${base}/upload`, name: 'photo' } as never), 'INVALID_ARGUMENT'],
  ['uploadFile() with a missing file', (base) => offline.uploadFile({ url: `${base}/upload`, name: 'photo', filePath: 'wxfile://tmp/gone.jpg' }), 'INVALID_ARGUMENT'],
  ['uploadFile() with no options', () => offline.uploadFile(undefined as never), 'INVALID_ARGUMENT'],
  ['task() with no steps', () => offline.task({ steps: [] }), 'INVALID_ARGUMENT'],
  ['task() with no options', () => offline.task(undefined as never), 'INVALID_ARGUMENT'],
  ['task() with a reference to a later step', (base) => offline.task({ steps: [{ request: { url: `${base}/v`, data: { x: { $ref: 'steps.1.data' } } } }, { request: { url: `${base}/w` } }] }), 'INVALID_ARGUMENT'],
  ['get() with an unknown strategy', (base) => offline.get({ url: `${base}/customers`, strategy: 'fastest' } as never), 'INVALID_ARGUMENT'],
  ['manifest() with a malformed document', () => offline.manifest({ version: 1, cache: 'everything' } as never), 'INVALID_ARGUMENT'],
  ['manifest() with a non-http resource', () => offline.manifest({ version: 'v1', cache: ['ftp://x.com/a.png'] } as never), 'INVALID_ARGUMENT'],
  ['retry() of an unknown id', () => offline.retry('no-such-id'), 'INVALID_ARGUMENT'],
  ['discard() of an unknown id', () => offline.discard('no-such-id'), 'INVALID_ARGUMENT'],
  ['createOffline() with concurrency 0', () => createOffline({ platform: h.platform(), namespace: 'other', concurrency: 0 }), 'INVALID_ARGUMENT'],
  ['createOffline() with a namespace containing "/"', () => createOffline({ platform: h.platform(), namespace: 'a/b' }), 'INVALID_ARGUMENT'],
  ['createOffline() with a namespace ending in ~cache', () => createOffline({ platform: h.platform(), namespace: 'test~cache' }), 'INVALID_ARGUMENT'],
  ['createOffline() with a namespace of 200 characters', () => createOffline({ platform: h.platform(), namespace: 'n'.repeat(200) }), 'INVALID_ARGUMENT'],
  ['createOffline() with idempotencyHeader "Idempotency Key"', () => createOffline({ platform: h.platform(), namespace: 'other', idempotencyHeader: 'Idempotency Key' }), 'INVALID_ARGUMENT'],
  ['createOffline() with retry.baseDelayMs NaN', () => createOffline({ platform: h.platform(), namespace: 'other', retry: { baseDelayMs: NaN } }), 'INVALID_ARGUMENT'],
  ['createOffline() with retry.maxAttempts 0', () => createOffline({ platform: h.platform(), namespace: 'other', retry: { maxAttempts: 0 } }), 'INVALID_ARGUMENT'],
  ['createOffline() with a header name that is not a token', () => createOffline({ platform: h.platform(), namespace: 'other', headers: { 'X Tenant': '7' } }), 'INVALID_ARGUMENT'],
  ['createOffline() with a namespace with a lone surrogate', () => createOffline({ platform: h.platform(), namespace: 'n\ud800' }), 'INVALID_ARGUMENT'],
  // A second createOffline on one namespace shares the engine (issue 10 item 2); a Workbox queue name is still taken once.
  ['new Queue() twice with one name', () => {
    const first = new Queue('taken', { platform: h.platform(), namespace: 'test' })
    try {
      return new Queue('taken', { platform: h.platform(), namespace: 'test' })
    } finally {
      first.close()
    }
  }, 'IN_USE'],
  ['new Queue() named "default"', () => new Queue('default', { platform: h.platform(), namespace: 'test' }), 'INVALID_ARGUMENT'],
  ['Queue.pushRequest() with a non-http url', () => {
    const queue = new Queue('catalogue', { platform: h.platform(), namespace: 'test' })
    return queue.pushRequest({ request: { url: 'wxfile://x' } }).finally(() => queue.close())
  }, 'INVALID_ARGUMENT'],
  ['Queue.pushRequest() with a space in the host', () => {
    const queue = new Queue('catalogue', { platform: h.platform(), namespace: 'test' })
    return queue.pushRequest({ request: { url: 'http://exa mple.com/x' } }).finally(() => queue.close())
  }, 'INVALID_ARGUMENT'],
  ['Queue.unshiftRequest() with metadata with a lone surrogate', (base) => {
    const queue = new Queue('catalogue', { platform: h.platform(), namespace: 'test' })
    return queue.unshiftRequest({ request: { url: `${base}/v` }, metadata: { title: '\ud800' } }).finally(() => queue.close())
  }, 'INVALID_ARGUMENT'],
  ['new Queue() with idempotencyHeader "Idempotency Key"', () => new Queue('catalogue', { platform: h.platform(), namespace: 'test', idempotencyHeader: 'Idempotency Key' }), 'INVALID_ARGUMENT'],
]

test.each(CATALOGUE)('%s: a typed error, nothing at rest changed', async (_what, call, code) => {
  const before = await snapshot()
  const error = await refusal(() => call(h.server.url))
  expect(error).toBeInstanceOf(OfflineError)
  expect(error).toMatchObject({ code })
  expect(await snapshot()).toEqual(before)
})

test('what was stored before the bad calls is still delivered, whole', async () => {
  for (const [, call] of CATALOGUE) await refusal(() => call(h.server.url))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0, 'the outbox drains')
  expect(h.server.applied.find((request) => request.path === '/visits')?.body).toEqual({ kept: true })
  expect(h.server.applied.find((request) => request.path === '/upload')?.multipart?.files[0].bytes.toString()).toBe('photo')
})

test('storage written by someone else under an entry key: that entry is set aside with a typed error, the rest is delivered', async () => {
  const keys = h.emu.wx.getStorageInfoSync().keys
  const entryKey = keys.find((key) => key.includes('.o/default/p/') && JSON.stringify(h.emu.wx.getStorageSync(key)).includes('kept'))
  expect(entryKey).toBeDefined()
  h.emu.wx.setStorageSync(entryKey as string, 'written by another library')
  h.restart()
  const reopened = h.client()
  const corrupted: Array<{ id: string; code: string }> = []
  reopened.on('corrupted', ({ id, error }) => corrupted.push({ id, code: error.code }))
  await reopened.ready
  h.emu.setOnline(true)
  await waitUntil(() => reopened.status.get().pending === 0 && !reopened.status.get().syncing, 'the rest drains')
  expect(corrupted).toEqual([{ id: expect.any(String), code: 'STORE_CORRUPTED' }])
  expect(h.server.applied.map((request) => request.path).filter((path) => path !== '/customers')).toEqual(['/upload'])
  // The foreign value is left exactly as it was written.
  expect(h.emu.wx.getStorageSync(entryKey as string)).toBe('written by another library')
})

test('keys under the SDK prefix that the SDK did not write are ignored and left alone', async () => {
  h.emu.wx.setStorageSync('mpo/test/not-a-record', { mine: false })
  h.emu.wx.setStorageSync('mpo/test/h.zz.0.1.junk', 'x')
  h.restart()
  const reopened = h.client()
  await reopened.ready
  expect(reopened.pending()).toHaveLength(2)
  expect(h.emu.wx.getStorageSync('mpo/test/not-a-record')).toEqual({ mine: false })
  expect(h.emu.wx.getStorageSync('mpo/test/h.zz.0.1.junk')).toBe('x')
})

test('storage from a future format version: FUTURE_FORMAT, and nothing is touched', async () => {
  h.restart()
  h.emu.wx.setStorageSync('mpo/test/meta', { format: 99 })
  const before = await snapshot()
  const error = await refusal(() => h.client())
  expect(error).toMatchObject({ code: 'FUTURE_FORMAT' })
  expect(await snapshot()).toEqual(before)
})

test('a full device (storage): QUOTA_EXCEEDED, cached reads evicted first, queued writes never', async () => {
  // Fill WeChat's 10 MB with the host app's own data, leaving too little for a 300 KB visit.
  for (let i = 0; h.emu.storage.usedBytes < h.emu.storage.maxTotalBytes - 150_000; i++) h.emu.wx.setStorageSync(`host-${i}`, 'h'.repeat(100_000))
  const pendingBefore = offline.pending()
  const error = await refusal(() => offline.request({ url: `${h.server.url}/v`, method: 'POST', data: { big: 'x'.repeat(300_000) } }))
  expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED' })
  expect(offline.pending()).toEqual(pendingBefore)
  // The cached customer list made room before the refusal; the queued entries did not.
  const stillCached = await offline.get({ url: `${h.server.url}/customers`, strategy: 'cacheOnly' }).then(() => true, () => false)
  expect(stillCached).toBe(false)
})

test('a full device (files): the copy is refused with WeChat\'s file error, nothing queued', async () => {
  await h.dispose()
  h = await createHarness({ fileQuotaBytes: 64 * 1024, online: false })
  offline = h.client()
  await offline.ready
  await h.platform().fs.writeFile(`${h.platform().fs.userDataPath}/host-app.bin`, new Uint8Array(60 * 1024).buffer)
  const before = await snapshot()
  const error = await refusal(() => offline.uploadFile({ url: `${h.server.url}/upload`, name: 'photo', filePath: h.emu.createTempFile(Buffer.alloc(10 * 1024)) }))
  expect(error).toMatchObject({ code: 'FILE_ERROR', errCode: 1300202 })
  expect(await snapshot()).toEqual(before)
})

test('a runtime object that is not a mini-program runtime fails clearly where it is used', async () => {
  const broken = {} as MiniProgramRuntime
  const platform = createWxPlatform(broken)
  expect(() => platform.storage.get('x')).toThrow(TypeError)
  const uni = createUniPlatform({ ...h.emu.uni, getFileSystemManager: undefined } as MiniProgramRuntime)
  expect(uni.capabilities.fileSystem).toBe(false)
  await expect(uni.fs.readdir('x')).rejects.toMatchObject({ code: 'UNSUPPORTED' })
})
