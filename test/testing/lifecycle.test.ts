import { AppKilledError, createWxEmulator, type WxEmulator } from '../../sdk/testing'
import type { TestServer } from '../support/test-server'
import { failWith, settle, sleep, succeed, useEmulatorAndServer } from './helpers'

describe('lifecycle: background suspension, kill, restart', () => {
  let emu: WxEmulator
  let server: TestServer

  useEmulatorAndServer((emulator, testServer) => {
    emu = emulator
    server = testServer
  })

  test('5 s after hide() every call in flight fails "interrupted", per API', async () => {
    server.setLatency(10_000)
    server.serveFile('/static/big.bin', 'data')
    const photo = emu.createTempFile('photo bytes')
    const request = settle((callbacks) => emu.wx.request({ url: `${server.url}/slow`, ...callbacks }))
    const upload = settle((callbacks) => emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'f', ...callbacks }))
    const download = settle((callbacks) => emu.wx.downloadFile({ url: `${server.url}/static/big.bin`, ...callbacks }))
    await server.waitForRequests(3)

    emu.hide()
    emu.clock.advance(4_000)
    expect(emu.network.inFlight).toBe(3)
    emu.clock.advance(1_000)
    expect(emu.network.suspended).toBe(true)

    const failures = (await Promise.all([request, upload, download])).map((outcome) => (outcome.ok ? 'ok' : outcome.error.errMsg))
    expect(failures).toEqual(['request:fail interrupted', 'uploadFile:fail interrupted', 'downloadFile:fail interrupted'])
    expect(emu.network.inFlight).toBe(0)
  })

  test('while suspended new calls fail "interrupted" until show()', async () => {
    emu.hide()
    emu.clock.advance(5_000)
    const error = await failWith((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(error.errMsg).toBe('request:fail interrupted')
    expect(server.requests).toHaveLength(0)

    emu.show()
    expect(emu.network.suspended).toBe(false)
    const result = await succeed<{ statusCode: number }>((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(result.statusCode).toBe(200)
  })

  test('show() before 5 s cancels the suspension: the slow call completes', async () => {
    server.setLatency(150)
    const outcome = settle<{ statusCode: number }>((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    emu.hide()
    emu.clock.advance(4_900)
    emu.show()
    emu.clock.advance(10_000)
    const result = await outcome
    expect(result.ok && result.value.statusCode).toBe(200)
    expect(emu.network.suspended).toBe(false)
  })

  test('onAppShow / onAppHide listeners fire', () => {
    const events: string[] = []
    emu.wx.onAppShow?.(() => events.push('show'))
    emu.wx.onAppHide?.(() => events.push('hide'))
    emu.hide()
    emu.show()
    expect(events).toEqual(['hide', 'show'])
    expect(emu.isVisible).toBe(true)
  })

  test('a kill mid-request drops the call: its callbacks never fire, and every later call throws', async () => {
    server.setLatency(100)
    const fired: string[] = []
    emu.wx.request({ url: `${server.url}/x`, success: () => fired.push('success'), fail: () => fired.push('fail') })
    await server.waitForRequests(1)
    emu.faults.kill()
    expect(emu.network.inFlight).toBe(0)
    await sleep(250) // well past the server's answer
    expect(fired).toEqual([])
    expect(() => emu.wx.request({ url: `${server.url}/x` })).toThrow(AppKilledError)
    expect(() => emu.wx.uploadFile({ url: `${server.url}/upload`, filePath: 'wxfile://tmp/x', name: 'f' })).toThrow(AppKilledError)
    expect(() => emu.wx.getFileSystemManager?.()).toThrow(AppKilledError)
    expect(() => emu.wx.getStorageSync('k')).toThrow(AppKilledError)
  })

  test('a kill at the file write of a download: nothing is written and no callback fires', async () => {
    server.serveFile('/static/a.bin', 'payload')
    const fired: string[] = []
    emu.faults.killAtWrite(1)
    emu.wx.downloadFile({
      url: `${server.url}/static/a.bin`,
      filePath: 'wxfile://usr/a.bin',
      success: () => fired.push('success'),
      fail: () => fired.push('fail'),
    })
    await server.waitForRequests(1)
    await sleep(50)
    expect(emu.faults.killed).toBe(true)
    expect(fired).toEqual([])
    expect(emu.files.exists('wxfile://usr/a.bin')).toBe(false)
    expect(emu.faults.history.map((write) => write.api)).toEqual(['downloadFile'])
  })

  test('restart() drops calls silently and ends the suspension', async () => {
    server.setLatency(100)
    const fired: string[] = []
    emu.wx.request({ url: `${server.url}/x`, success: () => fired.push('success'), fail: () => fired.push('fail') })
    emu.hide()
    await server.waitForRequests(1)
    emu.restart()
    expect(emu.network.inFlight).toBe(0)
    emu.clock.advance(10_000) // the old suspension timer is gone
    expect(emu.network.suspended).toBe(false)
    await sleep(200)
    expect(fired).toEqual([])
    const result = await succeed<{ statusCode: number }>((callbacks) => emu.wx.request({ url: `${server.url}/y`, ...callbacks }))
    expect(result.statusCode).toBe(200)
  })

  test('restart() after a suspension lets calls through again', async () => {
    emu.hide()
    emu.clock.advance(5_000)
    expect(emu.network.suspended).toBe(true)
    emu.restart()
    expect(emu.network.suspended).toBe(false)
    await succeed((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
  })

  test('suspendAfterHideMs is configurable', async () => {
    const quick = createWxEmulator({ suspendAfterHideMs: 1_000 })
    try {
      quick.hide()
      quick.clock.advance(1_000)
      const error = await failWith((callbacks) => quick.wx.request({ url: `${server.url}/x`, ...callbacks }))
      expect(error.errMsg).toBe('request:fail interrupted')
    } finally {
      quick.dispose()
    }
  })
})
