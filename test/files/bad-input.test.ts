import { createOffline, createUniPlatform, OfflineError } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { keptFiles, takePhoto } from './support'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness({ online: false })
})
afterEach(() => h.dispose())

/** Runs a bad call and checks: typed error with `code`, no storage or file write, no request sent. */
async function expectRefusedWithoutWrites(call: () => Promise<unknown>, code: string): Promise<void> {
  const writes = h.emu.faults.writes
  const error = await call().then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(OfflineError)
  expect(error).toMatchObject({ code })
  expect(h.emu.faults.history.slice(writes)).toEqual([])
  expect(h.server.requests).toHaveLength(0)
}

test.each([
  ['a missing filePath', () => ({ url: 'UPLOAD', name: 'photo' }), 'INVALID_ARGUMENT'],
  ['a filePath that does not exist', () => ({ url: 'UPLOAD', filePath: 'wxfile://tmp/nope.jpg', name: 'photo' }), 'INVALID_ARGUMENT'],
  ['a filePath that is a folder', () => ({ url: 'UPLOAD', filePath: 'wxfile://usr', name: 'photo' }), 'INVALID_ARGUMENT'],
  ['no field name', (photo: string) => ({ url: 'UPLOAD', filePath: photo }), 'INVALID_ARGUMENT'],
  ['a non-http url', (photo: string) => ({ url: 'wxfile://usr/x', filePath: photo, name: 'photo' }), 'INVALID_ARGUMENT'],
  ['a formData value that is not a string', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', formData: { n: 1 } }), 'INVALID_ARGUMENT'],
  ['a compress quality out of range', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', compress: { quality: 101 } }), 'INVALID_ARGUMENT'],
  // The same URL and header vocabulary as request() and get().
  ['a space in the host', (photo: string) => ({ url: 'http://exa mple.com/upload', filePath: photo, name: 'photo' }), 'INVALID_ARGUMENT'],
  ['credentials in the url', (photo: string) => ({ url: 'https://rep:secret@example.com/upload', filePath: photo, name: 'photo' }), 'INVALID_ARGUMENT'],
  ['an empty host', (photo: string) => ({ url: 'https:///upload', filePath: photo, name: 'photo' }), 'INVALID_ARGUMENT'],
  ['a header name that is not a token', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', header: { 'X Trace': '1' } }), 'INVALID_ARGUMENT'],
  ['a header value with CR LF', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', header: { 'X-Trace': '1\r\nX-Admin: yes' } }), 'INVALID_ARGUMENT'],
  ['a lane of 65 Chinese characters', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', lane: '客'.repeat(65) }), 'INVALID_ARGUMENT'],
  ['a lane with a lone surrogate', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', lane: '\ud800' }), 'INVALID_ARGUMENT'],
  ['metadata with a lone surrogate', (photo: string) => ({ url: 'UPLOAD', filePath: photo, name: 'photo', metadata: { title: '\udc00' } }), 'INVALID_ARGUMENT'],
])('uploadFile with %s is refused before anything is kept or stored', async (_what, build, code) => {
  const offline = h.client()
  await offline.ready
  const options = build(takePhoto(h).path) as Record<string, unknown>
  if (options.url === 'UPLOAD') options.url = `${h.server.url}/upload`
  await expectRefusedWithoutWrites(() => offline.uploadFile(options as never), code)
  expect(await keptFiles(h)).toEqual([])
})

test.each([
  ['empty steps', () => []],
  ['steps that is not an array', () => 'x'],
  ['a step that is neither request nor upload', () => [{ wait: 1 }]],
  ['a reference to a step that does not exist', (base: string) => [{ request: { url: `${base}/a`, method: 'POST', data: { x: { $ref: 'steps.5.data.url' } } } }]],
  [
    'a reference to a later step',
    (base: string, photo: string) => [
      { request: { url: `${base}/a`, method: 'POST', data: { x: { $ref: 'steps.1.data.url' } } } },
      { upload: { url: `${base}/upload`, filePath: photo, name: 'file' } },
    ],
  ],
  ['a reference to itself', () => [{ request: { url: { $ref: 'steps.0.data.next' }, method: 'POST' } }]],
  ['a malformed reference', (base: string) => [{ request: { url: `${base}/a`, method: 'POST', data: { x: { $ref: 'step0.url' } } } }]],
  ['more than 20 steps', (base: string) => Array.from({ length: 21 }, () => ({ request: { url: `${base}/a` } }))],
  ['a request step with a space in the host', () => [{ request: { url: 'http://exa mple.com/x', method: 'POST' } }]],
  ['a request step with credentials in the url', () => [{ request: { url: 'https://rep:pw@example.com/x', method: 'POST' } }]],
  ['an upload step with a space in the url', (_base: string, photo: string) => [{ upload: { url: 'https://example.com/up load', filePath: photo, name: 'f' } }]],
  ['a request step with a header name that is not a token', (base: string) => [{ request: { url: `${base}/a`, header: { 'X Trace': '1' } } }]],
  ['an upload step with a CR LF in a header value', (base: string, photo: string) => [{ upload: { url: `${base}/upload`, filePath: photo, name: 'f', header: { 'X-Trace': '1\nX-Admin: yes' } } }]],
  ['a formData value with a CR LF in its name', (base: string, photo: string) => [{ upload: { url: `${base}/upload`, filePath: photo, name: 'f', formData: { 'a\r\nb': '1' } } }]],
])('task with %s is refused before anything is kept or stored', async (_what, build) => {
  const offline = h.client()
  await offline.ready
  const steps = build(h.server.url, takePhoto(h).path)
  await expectRefusedWithoutWrites(() => offline.task({ steps } as never), 'INVALID_ARGUMENT')
  expect(offline.status.get().pending).toBe(0)
})

test('a file over the budget is refused with QuotaExceededError before anything is queued; what was kept stays', async () => {
  const offline = h.client({ maxFileBytes: 10_000 })
  await offline.ready
  const kept = await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: takePhoto(h, 6000).path, name: 'photo' })
  expect(kept.status).toBe('queued')
  const big = takePhoto(h, 5000).path
  await expectRefusedWithoutWrites(() => offline.uploadFile({ url: `${h.server.url}/upload`, filePath: big, name: 'photo' }), 'QUOTA_EXCEEDED')
  // A task whose files together do not fit is refused whole.
  const small = takePhoto(h, 3000).path
  await expectRefusedWithoutWrites(
    () =>
      offline.task({
        steps: [
          { upload: { url: `${h.server.url}/upload`, filePath: small, name: 'a' } },
          { upload: { url: `${h.server.url}/upload`, filePath: small, name: 'b' } },
        ],
      }),
    'QUOTA_EXCEEDED',
  )
  expect(offline.pending().map((item) => item.id)).toEqual([kept.id])
  expect(h.emu.files.usedBytes).toBe(6000)
})

test('the device file quota (200 MB shared with the app) refuses the copy with nothing queued', async () => {
  await h.dispose()
  h = await createHarness({ online: false, fileQuotaBytes: 20_000 })
  const offline = h.client()
  await offline.ready
  await h.platform().fs.writeFile(`${h.platform().fs.userDataPath}/host-app-data.bin`, new Uint8Array(18_000).buffer)
  const error = await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: takePhoto(h, 5000).path, name: 'photo' }).catch((caught: unknown) => caught)
  expect(error).toMatchObject({ code: 'FILE_ERROR', errCode: 1300202 })
  expect(offline.status.get().pending).toBe(0)
  expect(await keptFiles(h)).toEqual([])
})

test('where the runtime has no file system, uploads fail as unsupported and requests keep working', async () => {
  await h.dispose()
  h = await createHarness({ online: false, uniTarget: 'h5' })
  const offline = createOffline({ platform: createUniPlatform(h.emu.uni, { clock: h.emu.clock }), namespace: 'h5' })
  await offline.ready
  await expect(offline.uploadFile({ url: `${h.server.url}/upload`, filePath: 'x.jpg', name: 'photo' })).rejects.toMatchObject({
    code: 'UNSUPPORTED',
    capability: 'fileSystem',
  })
  expect((await offline.request({ url: `${h.server.url}/v`, method: 'POST', data: {} })).status).toBe('queued')
  offline.close()
})

describe('task steps say what request() says', () => {
  /** A body with an own key named `__proto__`, as `JSON.parse` gives one. */
  const body = (): Record<string, unknown> => JSON.parse('{"__proto__":{"admin":true},"visit":12}')

  test('a body key named __proto__ reaches the server from a task step exactly as from request()', async () => {
    const offline = h.client()
    await offline.ready
    await offline.request({ url: `${h.server.url}/direct`, method: 'POST', data: body() })
    await offline.task({ steps: [{ request: { url: `${h.server.url}/step`, method: 'POST', data: body() } }] })
    await offline.task({
      steps: [
        { request: { url: `${h.server.url}/first`, method: 'POST' } },
        { request: { url: `${h.server.url}/step-with-ref`, method: 'POST', data: { ...body(), ref: { $ref: 'steps.0.data.id' } } } },
      ],
    })
    h.emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'all delivered')
    const raw = (path: string): string | undefined => h.server.applied.find((request) => request.path === path)?.rawBody?.toString()
    expect(raw('/direct')).toBe('{"__proto__":{"admin":true},"visit":12}')
    expect(raw('/step')).toBe(raw('/direct'))
    expect(JSON.parse(raw('/step-with-ref') ?? '{}')).toEqual(JSON.parse('{"__proto__":{"admin":true},"visit":12,"ref":3}'))
    expect(raw('/step-with-ref')).toContain('"__proto__":{"admin":true}')
  })

  test.each([
    ['a space in the host', 'http://exa mple.com/x'],
    ['credentials', 'https://rep:pw@example.com/x'],
    ['a non-http scheme', 'ftp://example.com/x'],
  ])('a request step whose url resolves (by reference) to a URL with %s: dead-lettered, nothing sent there, never retried', async (_what, next) => {
    h.server.respondWith((request) => (request.path === '/where' ? { body: { next } } : undefined))
    const offline = h.client()
    await offline.ready
    h.emu.setOnline(true)
    const result = await offline.task({ steps: [{ request: { url: `${h.server.url}/where` } }, { request: { url: { $ref: 'steps.0.data.next' }, method: 'POST' } }] })
    expect(result).toMatchObject({ status: 'deadLettered', error: { step: 1 } })
    expect(h.server.requests.map((request) => request.path)).toEqual(['/where'])
    expect(offline.pending()).toEqual([expect.objectContaining({ state: 'deadLetter', attempts: expect.any(Number) })])
  })

  test.each([
    ['a space in the host', 'http://exa mple.com/x'],
    ['credentials', 'https://rep:pw@example.com/x'],
  ])('an upload step whose url resolves (by reference) to a URL with %s: dead-lettered, nothing uploaded', async (_what, next) => {
    h.server.respondWith((request) => (request.path === '/where' ? { body: { next } } : undefined))
    const offline = h.client()
    await offline.ready
    h.emu.setOnline(true)
    const photo = takePhoto(h).path
    const result = await offline.task({ steps: [{ request: { url: `${h.server.url}/where` } }, { upload: { url: { $ref: 'steps.0.data.next' }, filePath: photo, name: 'f' } }] })
    expect(result).toMatchObject({ status: 'deadLettered', error: { step: 1 } })
    expect(h.server.requests.map((request) => request.path)).toEqual(['/where'])
    expect(offline.pending()).toEqual([expect.objectContaining({ state: 'deadLetter' })])
  })
})
