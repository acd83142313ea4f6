import { createRuntimeStorage } from '../../sdk/platform/runtime-storage'
import { AppKilledError, createWxEmulator, type EmulatedFileSystemManager, type WxEmulator } from '../../sdk/testing'
import type { TestServer } from '../support/test-server'
import { flush, sleep, succeed, useEmulatorAndServer } from './helpers'

describe('app runs: a cold start hands out a new wx', () => {
  let emu: WxEmulator
  let server: TestServer

  useEmulatorAndServer((emulator, testServer) => {
    emu = emulator
    server = testServer
  })

  test('within one run emu.wx and emu.uni are stable; restart() gives new ones', () => {
    const wx = emu.wx
    const uni = emu.uni
    expect(emu.wx).toBe(wx)
    expect(emu.uni).toBe(uni)
    emu.restart()
    expect(emu.wx).not.toBe(wx)
    expect(emu.uni).not.toBe(uni)
  })

  test('the previous run\'s wx, uni and file manager throw as a dead app\'s, and write nothing', () => {
    const oldWx = emu.wx
    const oldUni = emu.uni
    const oldFs = emu.wx.getFileSystemManager?.() as EmulatedFileSystemManager
    oldWx.setStorageSync('k', 'first run')
    emu.restart()
    expect(() => oldWx.setStorageSync('k', 'ghost')).toThrow(AppKilledError)
    expect(() => oldWx.getStorageSync('k')).toThrow(AppKilledError)
    expect(() => oldWx.getStorageInfoSync()).toThrow(AppKilledError)
    expect(() => oldWx.clearStorageSync()).toThrow(AppKilledError)
    expect(() => oldUni.setStorageSync('k', 'ghost')).toThrow(AppKilledError)
    expect(() => oldWx.request({ url: `${server.url}/x` })).toThrow(AppKilledError)
    expect(() => oldFs.writeFileSync('wxfile://usr/ghost.txt', 'x')).toThrow(AppKilledError)
    expect(() => oldWx.onNetworkStatusChange(() => undefined)).toThrow(AppKilledError)
    // The new run sees the first run's data, untouched by the ghost.
    expect(emu.wx.getStorageSync('k')).toBe('first run')
    expect(emu.files.exists('wxfile://usr/ghost.txt')).toBe(false)
    expect(server.requests).toHaveLength(0)
  })

  test('the new run\'s wx works, and gets its own storage adapter (what the SDK keys engines on)', async () => {
    const firstAdapter = createRuntimeStorage(emu.wx)
    emu.restart()
    const secondAdapter = createRuntimeStorage(emu.wx)
    expect(secondAdapter).not.toBe(firstAdapter)
    expect(createRuntimeStorage(emu.wx)).toBe(secondAdapter)
    emu.wx.setStorageSync('k', 2)
    expect(emu.uni.getStorageSync('k')).toBe(2)
    const answer = await succeed<{ statusCode: number }>((callbacks) => emu.wx.request({ url: `${server.url}/x`, ...callbacks }))
    expect(answer.statusCode).toBe(200)
  })

  test('listeners registered through the old wx never hear the new run', () => {
    const heard: string[] = []
    emu.wx.onNetworkStatusChange(() => heard.push('net'))
    emu.wx.onAppShow?.(() => heard.push('show'))
    emu.wx.onError(() => heard.push('error'))
    emu.restart()
    emu.setOnline(false)
    emu.show()
    emu.reportError('boom')
    expect(heard).toEqual([])
  })

  test('a callback the old run scheduled never reaches it after the restart', async () => {
    const heard: string[] = []
    emu.wx.getNetworkType({ success: () => heard.push('type') })
    emu.restart()
    await flush()
    await sleep(5)
    expect(heard).toEqual([])
  })
})

describe('app runs: launch options', () => {
  test('getLaunchOptionsSync reports how each run started', () => {
    const emu = createWxEmulator({ launch: { path: 'pages/visits/list', query: { id: '7' }, scene: 1007 } })
    try {
      expect(emu.wx.getLaunchOptionsSync()).toEqual(
        expect.objectContaining({ path: 'pages/visits/list', query: { id: '7' }, scene: 1007, referrerInfo: {} }),
      )
      emu.restart()
      expect(emu.wx.getLaunchOptionsSync().path).toBe('pages/visits/list')
      emu.restart({ path: 'pages/index/index' })
      expect(emu.wx.getLaunchOptionsSync()).toEqual(expect.objectContaining({ path: 'pages/index/index', query: {}, scene: 1001 }))
    } finally {
      emu.dispose()
    }
  })
})
