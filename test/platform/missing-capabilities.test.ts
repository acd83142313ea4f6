import { OfflineError, UnsupportedError } from '../../sdk/errors'
import type { MiniProgramRuntime, RuntimeNetworkStatus } from '../../sdk/platform/runtime'
import { createUniPlatform } from '../../sdk/platform/uni-platform'
import { createWxPlatform } from '../../sdk/platform/wx-platform'

/**
 * A hand-made runtime with only the mandatory APIs, like uni-app on H5 or a
 * very old base library: no file system, no batch storage, no
 * offNetworkStatusChange, no onAppShow, no runtime getRandomValues.
 */
function bareRuntime() {
  const items = new Map<string, unknown>()
  const networkListeners: Array<(status: RuntimeNetworkStatus) => void> = []
  const runtime: MiniProgramRuntime = {
    setStorageSync: (key, data) => void items.set(key, data),
    getStorageSync: (key) => (items.has(key) ? items.get(key) : ''),
    removeStorageSync: (key) => void items.delete(key),
    getStorageInfoSync: () => ({ keys: [...items.keys()], currentSize: 1, limitSize: 5120 }),
    getNetworkType: (options) => options.success?.({ networkType: '4g' }),
    onNetworkStatusChange: (listener) => void networkListeners.push(listener),
    request: () => ({ abort: () => undefined }),
    uploadFile: () => ({ abort: () => undefined }),
    downloadFile: () => ({ abort: () => undefined }),
  }
  const emitNetwork = (status: RuntimeNetworkStatus) => networkListeners.forEach((listener) => listener(status))
  return { runtime, networkListeners, emitNetwork }
}

describe('a runtime missing optional capabilities', () => {
  test('capabilities report exactly what is missing', () => {
    const { runtime } = bareRuntime()
    expect(createUniPlatform(runtime).capabilities).toEqual({
      fileSystem: false,
      batchStorage: false,
      offNetworkStatusChange: false,
      appLifecycle: false,
      // Node, like every browser, has crypto.getRandomValues (see web-runtime.test.ts).
      secureRandom: true,
      compressImage: false,
    })
  })

  test('every file-system call rejects with UnsupportedError naming the capability and runtime', async () => {
    const platform = createUniPlatform(bareRuntime().runtime)
    const calls = [
      platform.fs.access('a'),
      platform.fs.copyFile('a', 'b'),
      platform.fs.saveFile('a', 'b'),
      platform.fs.writeFile('a', 'x'),
      platform.fs.readFile('a'),
      platform.fs.unlink('a'),
      platform.fs.stat('a'),
      platform.fs.mkdir('a'),
      platform.fs.readdir('a'),
      platform.fs.rename('a', 'b'),
      platform.fs.rmdir('a'),
    ]
    for (const call of calls) {
      const error = await call.catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(UnsupportedError)
      expect(error).toMatchObject({ code: 'UNSUPPORTED', capability: 'fileSystem', message: 'fileSystem is not supported on uni' })
    }
    expect(() => platform.fs.userDataPath).toThrow(UnsupportedError)
  })

  test('compressImage and app lifecycle fail clearly when used', async () => {
    const platform = createWxPlatform(bareRuntime().runtime)
    await expect(platform.media.compressImage('a.jpg', 80)).rejects.toMatchObject({ code: 'UNSUPPORTED', capability: 'compressImage' })
    expect(() => platform.lifecycle.onShow(() => undefined)).toThrow(UnsupportedError)
    expect(() => platform.lifecycle.onHide(() => undefined)).toThrow(OfflineError)
  })

  test('storage, network and randomness keep working without the optional APIs', async () => {
    const { runtime, emitNetwork, networkListeners } = bareRuntime()
    const platform = createWxPlatform(runtime)
    platform.storage.set('k', { a: 1 })
    expect(platform.storage.get('k')).toEqual({ a: 1 })
    expect(platform.storage.get('missing')).toBeUndefined()
    expect(platform.storage.batchSet).toBeUndefined()
    await expect(platform.network.getStatus()).resolves.toEqual({ isConnected: true, networkType: '4g' })

    const bytes = await platform.randomBytes(16)
    expect(bytes).toHaveLength(16)
    expect(bytes.some((byte) => byte !== bytes[0])).toBe(true)

    // Without offNetworkStatusChange, unsubscribing still stops delivery:
    // one native listener fans out and is kept for the app's lifetime.
    const seen: string[] = []
    const unsubscribe = platform.network.onChange((status) => seen.push(status.networkType))
    emitNetwork({ isConnected: false, networkType: 'none' })
    unsubscribe()
    emitNetwork({ isConnected: true, networkType: 'wifi' })
    expect(seen).toEqual(['none'])
    expect(networkListeners).toHaveLength(1)
  })

  test('an unknown network type from a newer runtime is reported as unknown', async () => {
    const { runtime } = bareRuntime()
    runtime.getNetworkType = (options) => options.success?.({ networkType: '6g' })
    await expect(createWxPlatform(runtime).network.getStatus()).resolves.toEqual({ isConnected: true, networkType: 'unknown' })
  })

  test('uni-app reserved key prefixes are refused before anything is written', () => {
    const { runtime } = bareRuntime()
    const platform = createUniPlatform(runtime)
    for (const key of ['uni-x', 'uni_x', 'dcloud-x', 'dcloud_x']) {
      expect(() => platform.storage.set(key, 1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
    expect(runtime.getStorageInfoSync().keys).toEqual([])
  })
})
