import { createWxEmulator, type EmulatedDownloadSuccess, type EmulatedUploadSuccess, type WxEmulator } from '../../sdk/testing'
import type { TestServer } from '../support/test-server'
import { allByteValues, bytesOf, failWith, succeed, useEmulatorAndServer } from './helpers'

/** The download payload as the official typings let a caller declare it. */
type Downloaded = Omit<EmulatedDownloadSuccess, 'errMsg'>

describe('wx.uploadFile and wx.downloadFile', () => {
  let emu: WxEmulator
  let server: TestServer

  useEmulatorAndServer((emulator, testServer) => {
    emu = emulator
    server = testServer
  })

  const fs = () => {
    const manager = emu.wx.getFileSystemManager?.()
    if (!manager) throw new Error('no file system')
    return manager
  }

  test('uploads real multipart: the bytes written arrive intact, with the form fields and the base name', async () => {
    const bytes = allByteValues(1000)
    fs().writeFileSync('wxfile://usr/photo.bin', bytes.buffer as ArrayBuffer)
    const result = await succeed<EmulatedUploadSuccess>((callbacks) =>
      emu.wx.uploadFile({
        url: `${server.url}/upload`,
        filePath: 'wxfile://usr/photo.bin',
        name: 'image',
        formData: { orderId: 'o-42', note: '备注' },
        header: { 'Idempotency-Key': 'up-1', 'Content-Type': 'text/plain' },
        ...callbacks,
      }),
    )
    const received = server.requests[0]
    expect(received.method).toBe('POST')
    expect(received.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(received.idempotencyKey).toBe('up-1')
    expect(received.multipart?.fields).toEqual({ orderId: 'o-42', note: '备注' })
    expect(received.multipart?.files).toHaveLength(1)
    const file = received.multipart?.files[0]
    expect(file?.field).toBe('image')
    expect(file?.filename).toBe('photo.bin')
    expect(file?.mimeType).toBe('application/octet-stream')
    expect(Buffer.compare(file?.bytes ?? Buffer.alloc(0), Buffer.from(bytes))).toBe(0)

    // The answer is JSON, but uploadFile never parses it.
    expect(typeof result.data).toBe('string')
    expect(JSON.parse(result.data)).toEqual(expect.objectContaining({ url: '/files/upload-1', size: 1000 }))
    expect(result.statusCode).toBe(200)
    expect(result.errMsg).toBe('uploadFile:ok')
  })

  test('an uploaded temp photo can be fetched back from the server', async () => {
    const photo = emu.createTempFile(Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]), 'jpg')
    const result = await succeed<EmulatedUploadSuccess>((callbacks) =>
      emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'file', ...callbacks }),
    )
    const { url } = JSON.parse(result.data) as { url: string }
    const back = await succeed<{ data: unknown }>((callbacks) =>
      emu.wx.request({ url: `${server.url}${url}`, responseType: 'arraybuffer', ...callbacks }),
    )
    expect([...bytesOf(back.data)]).toEqual([0xff, 0xd8, 0xff, 0x00, 0x01])
  })

  test('a 4xx upload answer is still a success, with the body as text', async () => {
    server.respondWith(() => ({ status: 413, body: 'too large' }))
    const result = await succeed<EmulatedUploadSuccess>((callbacks) =>
      emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: emu.createTempFile('x'), name: 'f', ...callbacks }),
    )
    expect(result).toEqual(expect.objectContaining({ statusCode: 413, data: 'too large' }))
  })

  test('uploading a missing file fails and sends nothing', async () => {
    const error = await failWith((callbacks) =>
      emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: 'wxfile://usr/none.jpg', name: 'f', ...callbacks }),
    )
    expect(error.errMsg).toMatch(/^uploadFile:fail file not found/)
    expect(server.requests).toHaveLength(0)
    expect(emu.network.started).toBe(0)
  })

  test('download without filePath writes a new temp file; temp files do not count against the quota', async () => {
    const body = allByteValues(300)
    server.serveFile('/static/img.png', body, 'image/png')
    const result = await succeed<Downloaded>((callbacks) =>
      emu.wx.downloadFile({ url: `${server.url}/static/img.png`, ...callbacks }),
    )
    expect(result.statusCode).toBe(200)
    expect(result.tempFilePath).toMatch(/^wxfile:\/\/tmp\/.+\.png$/)
    expect(result.filePath).toBeUndefined()
    const data = fs().readFileSync(result.tempFilePath as string)
    expect(Buffer.compare(bytesOf(data), Buffer.from(body))).toBe(0)
    expect(emu.files.usedBytes).toBe(0)
  })

  test('download to filePath writes the user file and reports filePath', async () => {
    server.serveFile('/files/doc', 'document body', 'text/plain')
    const result = await succeed<Downloaded>((callbacks) =>
      emu.wx.downloadFile({ url: `${server.url}/files/doc`, filePath: 'wxfile://usr/doc.txt', ...callbacks }),
    )
    expect(result).toEqual(expect.objectContaining({ statusCode: 200, filePath: 'wxfile://usr/doc.txt' }))
    expect(result.tempFilePath).toBeUndefined()
    expect(fs().readFileSync('wxfile://usr/doc.txt', 'utf8')).toBe('document body')
    expect(emu.files.usedBytes).toBe(13)
  })

  test('any status reaches success: a 404 body is downloaded like any other', async () => {
    const result = await succeed<Downloaded>((callbacks) =>
      emu.wx.downloadFile({ url: `${server.url}/static/missing.png`, ...callbacks }),
    )
    expect(result.statusCode).toBe(404)
    expect(JSON.parse(fs().readFileSync(result.tempFilePath as string, 'utf8') as string)).toEqual(
      expect.objectContaining({ error: 'not found' }),
    )
  })

  test('a download to a user path over the quota fails with 1300202 and writes nothing', async () => {
    const small = createWxEmulator({ fileQuotaBytes: 10 })
    try {
      server.serveFile('/static/big.bin', 'x'.repeat(11))
      const error = await failWith((callbacks) =>
        small.wx.downloadFile({ url: `${server.url}/static/big.bin`, filePath: 'wxfile://usr/big.bin', ...callbacks }),
      )
      expect(error.errCode).toBe(1300202)
      expect(error.errMsg).toBe('downloadFile:fail the maximum size of the file storage limit is exceeded')
      expect(small.files.exists('wxfile://usr/big.bin')).toBe(false)
      expect(small.files.usedBytes).toBe(0)
    } finally {
      small.dispose()
    }
  })
})
