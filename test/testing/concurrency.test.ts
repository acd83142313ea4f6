import { createWxEmulator, type WxEmulator } from '../../sdk/testing'
import { startTestServer, type TestServer } from '../support/test-server'
import { settle, succeed, until, type Outcome } from './helpers'

describe('at most 10 network calls in flight, shared by request, uploadFile and downloadFile', () => {
  let emu: WxEmulator
  let server: TestServer

  beforeEach(async () => {
    server = await startTestServer({ latencyMs: 60 })
  })

  afterEach(async () => {
    emu.dispose()
    await server.close()
  })

  test('25 requests at a slow server: the server never sees more than 10 at once, and all 25 succeed', async () => {
    emu = createWxEmulator()
    const outcomes: Array<Promise<Outcome<{ statusCode: number }>>> = []
    for (let i = 0; i < 25; i++) {
      outcomes.push(settle((callbacks) => emu.wx.request({ url: `${server.url}/n/${i}`, ...callbacks })))
    }
    expect(emu.network.inFlight).toBe(10)
    expect(emu.network.queued).toBe(15)
    const results = await Promise.all(outcomes)
    expect(results.every((result) => result.ok && result.value.statusCode === 200)).toBe(true)
    expect(server.maxInFlight).toBe(10)
    expect(emu.network.maxInFlightSeen).toBe(10)
    expect(server.requests).toHaveLength(25)
  })

  test('queued calls start in the order they were made', async () => {
    emu = createWxEmulator({ maxConcurrentRequests: 1 })
    const outcomes = [0, 1, 2, 3].map((i) => settle((callbacks) => emu.wx.request({ url: `${server.url}/n/${i}`, ...callbacks })))
    await Promise.all(outcomes)
    expect(server.requests.map((request) => request.path)).toEqual(['/n/0', '/n/1', '/n/2', '/n/3'])
    expect(server.maxInFlight).toBe(1)
  })

  test('uploads and downloads take slots from the same pool as requests', async () => {
    emu = createWxEmulator({ maxConcurrentRequests: 3 })
    server.serveFile('/static/a.bin', 'abc')
    const photo = emu.createTempFile('photo')
    const outcomes = [
      settle((callbacks) => emu.wx.request({ url: `${server.url}/r1`, ...callbacks })),
      settle((callbacks) => emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'file', ...callbacks })),
      settle((callbacks) => emu.wx.downloadFile({ url: `${server.url}/static/a.bin`, ...callbacks })),
      settle((callbacks) => emu.wx.request({ url: `${server.url}/r2`, ...callbacks })),
      settle((callbacks) => emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'file', ...callbacks })),
    ]
    expect(emu.network.inFlight).toBe(3)
    expect(emu.network.queued).toBe(2)
    const results = await Promise.all(outcomes)
    expect(results.every((result) => result.ok)).toBe(true)
    expect(server.maxInFlight).toBe(3)
  })

  test('a call aborted while queued never reaches the server, and frees its place in line', async () => {
    emu = createWxEmulator({ maxConcurrentRequests: 1 })
    const first = settle((callbacks) => emu.wx.request({ url: `${server.url}/first`, ...callbacks }))
    let task: { abort(): void } | undefined
    const second = settle((callbacks) => (task = emu.wx.request({ url: `${server.url}/second`, ...callbacks })))
    const third = succeed((callbacks) => emu.wx.request({ url: `${server.url}/third`, ...callbacks }))
    task?.abort()
    expect(await second).toEqual({ ok: false, error: expect.objectContaining({ errMsg: 'request:fail abort' }) })
    await Promise.all([first, third])
    expect(server.requests.map((request) => request.path)).toEqual(['/first', '/third'])
  })

  test('a slot freed by a failure lets the next call start', async () => {
    emu = createWxEmulator({ maxConcurrentRequests: 1 })
    server.dropNextConnections(1)
    const failed = settle((callbacks) => emu.wx.request({ url: `${server.url}/a`, ...callbacks }))
    const next = succeed((callbacks) => emu.wx.request({ url: `${server.url}/b`, ...callbacks }))
    expect((await failed).ok).toBe(false)
    await next
    await until(() => emu.network.inFlight === 0)
    expect(emu.network.started).toBe(2)
  })
})
