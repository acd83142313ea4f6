import { createOffline } from '../../sdk/client/offline-client'
import { createUniPlatform } from '../../sdk/platform/uni-platform'
import { OfflineError } from '../../sdk/errors'
import { createHarness, type OfflineHarness } from '../support/offline-harness'
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
