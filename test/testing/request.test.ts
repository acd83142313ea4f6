import * as net from 'net'
import type { EmulatedRequestSuccess, WxEmulator } from '../../sdk/testing'
import type { RuntimeRequestOptions } from '../../sdk/platform/runtime'
import type { TestServer } from '../support/test-server'
import { bytesOf, failWith, settle, succeed, useEmulatorAndServer } from './helpers'

describe('wx.request over real HTTP', () => {
  let emu: WxEmulator
  let server: TestServer

  useEmulatorAndServer((emulator, testServer) => {
    emu = emulator
    server = testServer
  })

  const request = (options: Omit<RuntimeRequestOptions, 'success' | 'fail'>) =>
    succeed<EmulatedRequestSuccess>((callbacks) => emu.wx.request({ ...options, ...callbacks }))

  test('GET is the default method and object data becomes an encoded query string', async () => {
    const result = await request({ url: `${server.url}/search?page=1`, data: { q: '北京 & co', n: 2, flag: true } })
    expect(result.statusCode).toBe(200)
    expect(result.errMsg).toBe('request:ok')
    const received = server.requests[0]
    expect(received.method).toBe('GET')
    expect(received.query).toEqual({ page: '1', q: '北京 & co', n: '2', flag: 'true' })
    expect(received.rawBody.length).toBe(0)
  })

  test('POST objects are sent as JSON with WeChat\'s default content type, header keys as given', async () => {
    await request({
      url: `${server.url}/orders`,
      method: 'POST',
      data: { id: 'o-1', items: [1, 2], note: '中文' },
      header: { 'Idempotency-Key': 'key-1', 'X-Custom': 'yes' },
    })
    const received = server.requests[0]
    expect(received.method).toBe('POST')
    expect(received.headers['content-type']).toBe('application/json')
    expect(received.body).toEqual({ id: 'o-1', items: [1, 2], note: '中文' })
    expect(received.headers['x-custom']).toBe('yes')
    expect(received.idempotencyKey).toBe('key-1')
  })

  test('a content type in the header wins; strings go as-is and ArrayBuffers raw', async () => {
    await request({ url: `${server.url}/text`, method: 'PUT', data: 'plain text', header: { 'Content-Type': 'text/plain' } })
    expect(server.requests[0].headers['content-type']).toBe('text/plain')
    expect(server.requests[0].rawBody.toString('utf8')).toBe('plain text')

    const bytes = Uint8Array.from([0, 255, 128, 10, 13])
    await request({ url: `${server.url}/bin`, method: 'POST', data: bytes.buffer, header: { 'content-type': 'application/octet-stream' } })
    expect([...server.requests[1].rawBody]).toEqual([0, 255, 128, 10, 13])

    await request({
      url: `${server.url}/form`,
      method: 'POST',
      data: { a: '1', b: 'x y' },
      header: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(server.requests[2].rawBody.toString('utf8')).toBe('a=1&b=x%20y')
  })

  test('JSON answers are parsed, other text is kept, and dataType "text" never parses', async () => {
    server.respondWith((req) => (req.path === '/plain' ? { body: 'not json {' } : undefined))
    const json = await request({ url: `${server.url}/echo` })
    expect(json.data).toEqual({ ok: true, id: 1, path: '/echo' })
    expect(json.header['content-type']).toBe('application/json')
    const plain = await request({ url: `${server.url}/plain` })
    expect(plain.data).toBe('not json {')
    const text = await request({ url: `${server.url}/echo`, dataType: 'text' })
    expect(text.data).toBe('{"ok":true,"id":3,"path":"/echo"}')
  })

  test('responseType "arraybuffer" gives the raw bytes', async () => {
    server.serveFile('/static/blob.bin', Uint8Array.from([1, 2, 250, 251]))
    const result = await request({ url: `${server.url}/static/blob.bin`, responseType: 'arraybuffer' })
    expect([...bytesOf(result.data)]).toEqual([1, 2, 250, 251])
  })

  test('404 and 500 are HTTP answers, so they reach success, not fail', async () => {
    server.respondWith((req) => (req.path === '/boom' ? { status: 500, body: { error: 'boom' } } : undefined))
    const missing = await request({ url: `${server.url}/files/nope` })
    expect(missing.statusCode).toBe(404)
    const boom = await request({ url: `${server.url}/boom`, method: 'POST', data: {} })
    expect(boom.statusCode).toBe(500)
    expect(boom.data).toEqual({ error: 'boom' })
  })

  test('a request slower than its timeout fails with "request:fail timeout"', async () => {
    server.setLatency(2000)
    const error = await failWith((callbacks) => emu.wx.request({ url: `${server.url}/slow`, timeout: 100, ...callbacks }))
    expect(error.errMsg).toBe('request:fail timeout')
    expect(emu.network.inFlight).toBe(0)
  })

  test('the timeout runs on the emulator clock, so a test can advance past 60 s instantly', async () => {
    server.setLatency(10_000)
    const outcome = settle((callbacks) => emu.wx.request({ url: `${server.url}/slow`, ...callbacks }))
    await server.waitForRequests(1)
    // The clock is real time plus an offset, so leave a margin for the time already spent.
    emu.clock.advance(59_000)
    expect(emu.network.inFlight).toBe(1)
    emu.clock.advance(1_000)
    const result = await outcome
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ errMsg: 'request:fail timeout' }) })
  })

  test('abort() fails the call with "request:fail abort" and frees its slot', async () => {
    server.setLatency(5000)
    const outcome = settle((callbacks) => {
      const task = emu.wx.request({ url: `${server.url}/slow`, ...callbacks })
      void server.waitForRequests(1).then(() => task.abort())
    })
    expect(await outcome).toEqual({ ok: false, error: expect.objectContaining({ errMsg: 'request:fail abort' }) })
    expect(emu.network.inFlight).toBe(0)
  })

  test('connection refused and connections dropped by the server are transport failures', async () => {
    const port = await freePort()
    const refused = await failWith((callbacks) => emu.wx.request({ url: `http://127.0.0.1:${port}/x`, ...callbacks }))
    expect(refused.errMsg).toBe('request:fail net::ERR_CONNECTION_REFUSED')
    expect(refused.errno).toBeDefined()

    server.dropNextConnections(1)
    const dropped = await failWith((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(dropped.errMsg).toMatch(/^request:fail net::ERR_CONNECTION_RESET/)
  })

  test('an answer lost after the server applied it still fails on the phone', async () => {
    server.dropNextConnections(1, 'after-apply')
    const lost = await failWith((callbacks) =>
      emu.wx.request({ url: `${server.url}/orders`, method: 'POST', data: {}, header: { 'Idempotency-Key': 'k' }, ...callbacks }),
    )
    expect(lost.errMsg).toMatch(/^request:fail /)
    expect(server.applied).toHaveLength(1)
    // The retry is answered from the server's memory, not applied again.
    const retry = await request({ url: `${server.url}/orders`, method: 'POST', data: {}, header: { 'Idempotency-Key': 'k' } })
    expect(retry.statusCode).toBe(200)
    expect(server.applied).toHaveLength(1)
    expect(server.duplicates).toBe(1)
    expect(server.uniqueDeliveries).toBe(1)
  })

  test('callbacks are always asynchronous, failures included', async () => {
    emu.setOnline(false)
    let called = false
    emu.wx.request({ url: `${server.url}/x`, fail: () => (called = true) })
    expect(called).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 1))
    expect(called).toBe(true)
  })

  test('an invalid URL fails without throwing', async () => {
    const error = await failWith((callbacks) => emu.wx.request({ url: 'not a url', ...callbacks }))
    expect(error.errMsg).toMatch(/^request:fail invalid url/)
  })
})

/** A port nothing listens on: bind, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close((error) => (error ? reject(error) : resolve(port)))
    })
  })
}
