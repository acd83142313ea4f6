import { createWxEmulator, type WxEmulator } from '../../sdk/testing'
import type { RuntimeNetworkStatus } from '../../sdk/platform/runtime'
import type { TestServer } from '../support/test-server'
import { failWith, settle, succeed, useEmulatorAndServer } from './helpers'

describe('network state: connected, reachable, offline', () => {
  let emu: WxEmulator
  let server: TestServer

  useEmulatorAndServer((emulator, testServer) => {
    emu = emulator
    server = testServer
  })

  test('setOnline fires onNetworkStatusChange with isConnected and networkType', () => {
    const seen: RuntimeNetworkStatus[] = []
    emu.wx.onNetworkStatusChange((status) => seen.push(status))
    emu.setOnline(false)
    emu.setOnline(false) // no change, no event
    emu.setOnline(true)
    emu.setNetworkType('4g')
    expect(seen).toEqual([
      { isConnected: false, networkType: 'none' },
      { isConnected: true, networkType: 'wifi' },
      { isConnected: true, networkType: '4g' },
    ])
  })

  test('offNetworkStatusChange removes the same listener', () => {
    const seen: boolean[] = []
    // One function object for both calls; the official typings give them different argument types.
    const listener = (status: unknown) => seen.push((status as RuntimeNetworkStatus).isConnected)
    emu.wx.onNetworkStatusChange(listener)
    emu.setOnline(false)
    emu.wx.offNetworkStatusChange?.(listener)
    emu.setOnline(true)
    expect(seen).toEqual([false])
  })

  test('getNetworkType reports the current type, "none" when offline', async () => {
    const online = await succeed<{ networkType: string }>((callbacks) => emu.wx.getNetworkType(callbacks))
    expect(online.networkType).toBe('wifi')
    emu.setOnline(false)
    const offline = await succeed<{ networkType: string }>((callbacks) => emu.wx.getNetworkType(callbacks))
    expect(offline.networkType).toBe('none')
  })

  test('offline, a request fails promptly with "request:fail ..." and never reaches the server', async () => {
    emu.setOnline(false)
    const error = await failWith((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(error.errMsg).toBe('request:fail net::ERR_INTERNET_DISCONNECTED')
    const upload = await failWith((callbacks) =>
      emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: emu.createTempFile('x'), name: 'f', ...callbacks }),
    )
    expect(upload.errMsg).toMatch(/^uploadFile:fail /)
    expect(server.requests).toHaveLength(0)
  })

  test('going offline fails the calls in flight; what the server already got stays got', async () => {
    server.setLatency(5000)
    const outcome = settle((callbacks) => emu.wx.request({ url: `${server.url}/slow`, method: 'POST', data: {}, ...callbacks }))
    await server.waitForRequests(1)
    emu.setOnline(false)
    expect(await outcome).toEqual({ ok: false, error: expect.objectContaining({ errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' }) })
    expect(server.applied).toHaveLength(1)
  })

  test('connected is not reachable: setReachable(false) keeps wifi reported but requests fail fast', async () => {
    const seen: RuntimeNetworkStatus[] = []
    emu.wx.onNetworkStatusChange((status) => seen.push(status))
    emu.setReachable(false)
    expect(seen).toEqual([])
    const type = await succeed<{ networkType: string }>((callbacks) => emu.wx.getNetworkType(callbacks))
    expect(type.networkType).toBe('wifi')
    const started = Date.now()
    const error = await failWith((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(error.errMsg).toBe('request:fail timeout')
    expect(Date.now() - started).toBeLessThan(1000)
    expect(server.requests).toHaveLength(0)

    emu.setReachable(true)
    await succeed((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(server.requests).toHaveLength(1)
  })

  test('an emulator can start offline or unreachable', async () => {
    const offline = createWxEmulator({ online: false })
    const unreachable = createWxEmulator({ reachable: false })
    try {
      expect(offline.isOnline).toBe(false)
      expect(unreachable.isReachable).toBe(false)
      const a = await failWith((callbacks) => offline.wx.request({ url: `${server.url}/x`, ...callbacks }))
      const b = await failWith((callbacks) => unreachable.wx.request({ url: `${server.url}/x`, ...callbacks }))
      expect([a.errMsg, b.errMsg]).toEqual(['request:fail net::ERR_INTERNET_DISCONNECTED', 'request:fail timeout'])
    } finally {
      offline.dispose()
      unreachable.dispose()
    }
  })
})
