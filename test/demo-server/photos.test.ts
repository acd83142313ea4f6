/** Multipart photo uploads stored on disk, and the deliveries that refer to them. */
import { createHash, randomBytes } from 'crypto'
import { existsSync, readdirSync, readFileSync } from 'fs'
import * as path from 'path'
import { cleanUp, get, send, startServer, upload } from './demo-harness'

afterEach(cleanUp)

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

interface PhotoReply {
  id: string
  url: string
  size: number
  sha256: string
  mimeType: string
  fields: Record<string, string>
}

describe('POST /photos', () => {
  it('stores the exact bytes on disk, with a row naming their size, hash and key', async () => {
    const server = await startServer()
    const bytes = randomBytes(200 * 1024)
    const reply = await upload(server, bytes, { key: 'photo-1', fields: { visitId: 'v-1', 说明: '门头照' } })
    const photo = reply.json as PhotoReply

    expect(reply.status).toBe(201)
    expect(photo).toMatchObject({ url: `/photos/${photo.id}`, size: bytes.length, sha256: sha256(bytes), mimeType: 'image/png' })
    expect(photo.fields).toEqual({ visitId: 'v-1', 说明: '门头照' })
    const [row] = server.db.photos()
    expect(row).toMatchObject({ id: photo.id, size: bytes.length, sha256: sha256(bytes), field: 'file', filename: 'photo.png', idempotencyKey: 'photo-1' })
    expect(row.path).toBe(path.join(server.dataDir, 'photos', `${photo.id}.png`))
    expect(readFileSync(row.path).equals(bytes)).toBe(true)

    const served = await get(server, photo.url)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.bytes.equals(bytes)).toBe(true)
  })

  it('replays a retry that comes with a new multipart boundary, keeping one file', async () => {
    const server = await startServer()
    const bytes = randomBytes(4096)
    const first = await upload(server, bytes, { key: 'photo-retry', fields: { visitId: 'v-2' } })
    const retry = await upload(server, bytes, { key: 'photo-retry', fields: { visitId: 'v-2' }, filename: 'renamed.png' })
    const otherBytes = await upload(server, randomBytes(4096), { key: 'photo-retry', fields: { visitId: 'v-2' } })

    expect(retry.replayed).toBe(true)
    expect(retry.json).toEqual(first.json)
    expect(otherBytes.status).toBe(422)
    expect(server.db.counts().photos).toBe(1)
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toHaveLength(1)
  })

  it('accepts the field name photo, and a JPEG keeps its type', async () => {
    const server = await startServer()
    const reply = await upload(server, Buffer.from('jpeg bytes'), { field: 'photo', filename: 'a.jpg', type: 'image/jpeg' })
    const photo = reply.json as PhotoReply

    expect(reply.status).toBe(201)
    expect(server.db.photos()[0]).toMatchObject({ field: 'photo', mimeType: 'image/jpeg' })
    expect(existsSync(path.join(server.dataDir, 'photos', `${photo.id}.jpg`))).toBe(true)
    expect((await get(server, photo.url)).headers.get('content-type')).toBe('image/jpeg')
  })

  it('refuses an upload without a file field, and stores nothing on disk', async () => {
    const server = await startServer()
    const wrongField = await upload(server, Buffer.from('x'), { field: 'attachment', key: 'photo-wrong' })
    const json = await send(server, 'POST', '/photos', { not: 'multipart' }, 'photo-json')

    expect(wrongField.status).toBe(400)
    expect(json.status).toBe(400)
    expect(server.db.counts().photos).toBe(0)
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toEqual([])
    expect(server.db.idempotencyRows().map((row) => row.status)).toEqual([400, 400])
  })

  it('leaves no file after an injected 503, and the retry stores one', async () => {
    const server = await startServer({ failureRate: 1 })
    const bytes = randomBytes(1000)
    expect((await upload(server, bytes, { key: 'photo-503' })).status).toBe(503)
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toEqual([])

    server.setFaults({ failureRate: 0 })
    expect((await upload(server, bytes, { key: 'photo-503' })).status).toBe(201)
    expect(server.db.counts().photos).toBe(1)
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toHaveLength(1)
  })

  it('removes the written file when committing the row fails (500, key released)', async () => {
    const server = await startServer()
    server.db.sqlite.exec("CREATE TEMP TRIGGER no_photos BEFORE INSERT ON photos BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    const bytes = randomBytes(1000)
    const failed = await upload(server, bytes, { key: 'photo-500' })

    expect(failed).toMatchObject({ status: 500, json: { error: 'internal error' } })
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toEqual([])
    expect(server.db.idempotencyRows()).toEqual([])

    server.db.sqlite.exec('DROP TRIGGER no_photos')
    expect((await upload(server, bytes, { key: 'photo-500' })).status).toBe(201)
    expect(readdirSync(path.join(server.dataDir, 'photos'))).toHaveLength(1)
    expect(server.stats()).toMatchObject({ failed: 1, applied: 1 })
  })

  it('answers 404 for an unknown photo', async () => {
    const server = await startServer()
    expect((await get(server, '/photos/p-000000000000')).status).toBe(404)
  })
})

describe('POST /deliveries', () => {
  it("records the courier's task: two photos, then the delivery that refers to them", async () => {
    const server = await startServer({ dropRate: 0 })
    const signature = (await upload(server, randomBytes(512), { key: 'task-9:0' })).json as PhotoReply
    const parcel = (await upload(server, randomBytes(2048), { key: 'task-9:1' })).json as PhotoReply
    const body = { trackingNo: 'SF1003', signature: signature.url, photo: `${server.url}${parcel.url}`, at: 1717236000000 }
    const delivery = await send(server, 'POST', '/deliveries', body, 'task-9:2')
    const repeat = await send(server, 'POST', '/deliveries', body, 'task-9:2')

    expect(delivery.status).toBe(201)
    expect(delivery.json).toMatchObject({ trackingNo: 'SF1003', signature: signature.url, photo: parcel.url, at: '2024-06-01T10:00:00.000Z' })
    expect(repeat.replayed).toBe(true)
    expect(server.db.deliveries()).toEqual([
      expect.objectContaining({ trackingNo: 'SF1003', signature: signature.url, photo: parcel.url, idempotencyKey: 'task-9:2' }),
    ])
    const route = (await get(server, '/routes/today')).json as { deliveries: Array<{ trackingNo: string; delivered: boolean }> }
    expect(route.deliveries.filter((stop) => stop.delivered).map((stop) => stop.trackingNo)).toEqual(['SF1003'])
    expect(server.db.counts()).toMatchObject({ photos: 2, deliveries: 1 })
  })

  it('refuses a delivery whose photo reference resolved to nothing', async () => {
    const server = await startServer()
    const reply = await send(server, 'POST', '/deliveries', { trackingNo: 'SF1001', signature: '/photos/p-missing', photo: 'not a url', at: Date.now() }, 'd-bad')

    expect(reply.status).toBe(400)
    expect(reply.json).toMatchObject({ error: 'signature names an unknown photo' })
    expect(server.db.counts().deliveries).toBe(0)
  })
})
