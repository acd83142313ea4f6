import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'
import { keptFiles, takePhoto } from './support'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

function uploadsReceived() {
  return h.server.applied.filter((request) => request.path === '/upload')
}

test("courier: signature and parcel photo offline, then the delivery record that references both uploads", async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const signature = takePhoto(h, 2000)
  const parcel = takePhoto(h, 30_000)
  const result = await offline.task({
    lane: 'delivery:SF1001',
    metadata: { title: '签收 SF1001' },
    steps: [
      { upload: { url: `${h.server.url}/upload`, filePath: signature.path, name: 'file', formData: { kind: 'signature' } } },
      { upload: { url: `${h.server.url}/upload`, filePath: parcel.path, name: 'file', formData: { kind: 'parcel' } } },
      {
        request: {
          url: `${h.server.url}/deliveries`,
          method: 'POST',
          data: { trackingNo: 'SF1001', signature: { $ref: 'steps.0.data.url' }, photo: { $ref: 'steps.1.data.url' } },
        },
      },
    ],
  })
  expect(result.status).toBe('queued')
  expect(offline.pending()).toEqual([expect.objectContaining({ id: result.id, progress: { done: 0, total: 3 }, metadata: { title: '签收 SF1001' } })])
  expect(await keptFiles(h)).toHaveLength(2)

  const sent = new Promise((resolve) => offline.on('sent', resolve))
  h.emu.setOnline(true)
  await sent
  const [first, second] = uploadsReceived()
  expect(first.multipart?.files[0].bytes.equals(signature.bytes)).toBe(true)
  expect(second.multipart?.files[0].bytes.equals(parcel.bytes)).toBe(true)
  expect(first.multipart?.fields).toEqual({ kind: 'signature' })
  const record = h.server.applied.find((request) => request.path === '/deliveries')
  expect(record?.body).toEqual({ trackingNo: 'SF1001', signature: '/files/upload-1', photo: '/files/upload-2' })
  // Every step has its own key, derived from the task's.
  expect(h.server.applied.map((request) => request.idempotencyKey)).toEqual([`${result.id}:0`, `${result.id}:1`, `${result.id}:2`])
  await waitUntil(() => offline.status.get().pending === 0, 'the task is done')
  await waitUntil(() => h.emu.files.usedBytes === 0, 'kept files are deleted')
  expect(await keptFiles(h)).toEqual([])
})

test('rep: a visit with three photos, online, resolves sent with the record answer', async () => {
  const offline = h.client()
  await offline.ready
  const photos = [takePhoto(h, 5000), takePhoto(h, 7000), takePhoto(h, 9000)]
  const result = await offline.task({
    steps: [
      ...photos.map((photo) => ({ upload: { url: `${h.server.url}/upload`, filePath: photo.path, name: 'photo' } })),
      {
        request: {
          url: `${h.server.url}/visits`,
          method: 'POST' as const,
          data: { customer: 12, photos: [{ $ref: 'steps.0.data.url' }, { $ref: 'steps.1.data.url' }, { $ref: 'steps.2.data.url' }] },
        },
      },
    ],
  })
  expect(result.status).toBe('sent')
  expect(result.status === 'sent' && result.response.statusCode).toBe(200)
  const uploads = uploadsReceived()
  photos.forEach((photo, i) => expect(uploads[i].multipart?.files[0].bytes.equals(photo.bytes)).toBe(true))
  expect(h.server.applied.find((request) => request.path === '/visits')?.body).toEqual({
    customer: 12,
    photos: ['/files/upload-1', '/files/upload-2', '/files/upload-3'],
  })
  await waitUntil(() => h.emu.files.usedBytes === 0, 'kept files are deleted')
})

test('uploadFile online: sent, the JSON answer parsed, the kept copy deleted; the temp file is not touched', async () => {
  const offline = h.client()
  await offline.ready
  const photo = takePhoto(h, 12_345)
  const result = await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: photo.path, name: 'photo', formData: { visit: '12' } })
  expect(result).toMatchObject({ status: 'sent', response: { statusCode: 200, data: { url: '/files/upload-1', size: 12_345 } } })
  expect(uploadsReceived()[0].multipart?.fields).toEqual({ visit: '12' })
  await waitUntil(() => h.emu.files.usedBytes === 0, 'kept copy deleted')
  expect(h.emu.files.exists(photo.path)).toBe(true)
})

test('temp files are gone after a restart, yet the queued upload still succeeds from the kept copy', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const photo = takePhoto(h, 50_000)
  expect((await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: photo.path, name: 'photo' })).status).toBe('queued')
  h.restart()
  expect(h.emu.files.exists(photo.path)).toBe(false)
  expect(h.emu.files.listTempFiles()).toEqual([])
  h.emu.setOnline(true)
  const again = h.client()
  await again.ready
  await waitUntil(() => again.status.get().pending === 0, 'uploaded after restart')
  expect(uploadsReceived()[0].multipart?.files[0].bytes.equals(photo.bytes)).toBe(true)
  await waitUntil(() => h.emu.files.usedBytes === 0, 'kept copy deleted')
})

test('compress: the compressed copy is what is kept and uploaded', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const photo = takePhoto(h, 8000)
  await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: photo.path, name: 'photo', compress: { quality: 60 } })
  // The emulator's compressImage copies bytes into a new temp file; the original stays as it was.
  expect(h.emu.files.listTempFiles()).toHaveLength(2)
  h.emu.setOnline(true)
  await offline.flush()
  await waitUntil(() => uploadsReceived().length === 1, 'uploaded')
  expect(uploadsReceived()[0].multipart?.files[0].bytes.length).toBe(8000)
})

test('a permanent failure dead-letters the whole task naming the step; retry(id) resumes from that step', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const photo = takePhoto(h, 1000)
  const { id } = await offline.task({
    steps: [
      { upload: { url: `${h.server.url}/upload`, filePath: photo.path, name: 'file' } },
      { request: { url: `${h.server.url}/visits`, method: 'POST', data: { photo: { $ref: 'steps.0.data.url' } } } },
    ],
  })
  let refuse = true
  h.server.respondWith((request) => (request.path === '/visits' && refuse ? { status: 422, body: { error: 'visit closed' } } : undefined))
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1, 'dead-lettered')
  expect(offline.pending()).toEqual([
    expect.objectContaining({ id, state: 'deadLetter', progress: { done: 1, total: 2 }, lastError: expect.objectContaining({ step: 1, statusCode: 422, data: { error: 'visit closed' } }) }),
  ])
  // The file stays while the task is a dead letter.
  expect(h.emu.files.usedBytes).toBe(1000)
  refuse = false
  await offline.retry(id)
  await waitUntil(() => offline.status.get().deadLetters === 0 && offline.status.get().pending === 0, 'retried')
  // The upload (step 0) was not sent again.
  expect(uploadsReceived()).toHaveLength(1)
  expect(h.server.requests.filter((request) => request.path === '/visits')).toHaveLength(2)
  await waitUntil(() => h.emu.files.usedBytes === 0, 'file released')
})

test('a kept file that vanished sends the entry to the dead letters with that reason, never silently', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const photo = takePhoto(h, 1000)
  await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: photo.path, name: 'photo' })
  const [kept] = await keptFiles(h)
  await h.platform().fs.unlink(`${h.platform().fs.userDataPath}/mpo/test/default/${kept}`)
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().deadLetters === 1, 'dead-lettered')
  expect(offline.pending()[0].lastError?.message).toMatch(/vanished/)
  expect(h.server.requests).toHaveLength(0)
})

test('discarding a queued upload deletes its kept file', async () => {
  h.emu.setOnline(false)
  const offline = h.client()
  await offline.ready
  const { id } = await offline.uploadFile({ url: `${h.server.url}/upload`, filePath: takePhoto(h, 3000).path, name: 'photo' })
  expect(h.emu.files.usedBytes).toBe(3000)
  offline.discard(id)
  await waitUntil(() => h.emu.files.usedBytes === 0, 'file deleted')
})
