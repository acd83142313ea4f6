/**
 * The platform on uni-app H5, where the runtime sits in a browser: Web Crypto
 * for ids, `navigator.onLine` and the window's events for connectivity,
 * localStorage's real capacity for the budget. Browser globals are stood up
 * on `globalThis` for each test and removed after; the real browser runs
 * are in test/h5.
 */
import { EventEmitter } from 'events'
import { createOffline } from 'miniprogram-offline'
import { createWxEmulator } from 'miniprogram-offline/testing'
import { detectPlatform } from '../../sdk/platform/detect-platform'
import { LOCAL_STORAGE_CAPACITY_KB } from '../../sdk/platform/local-storage-capacity'
import type { MiniProgramRuntime, RuntimeNetworkStatus } from '../../sdk/platform/runtime'
import { createUniPlatform } from '../../sdk/platform/uni-platform'
import { createWxPlatform } from '../../sdk/platform/wx-platform'

type Globals = { window?: unknown; navigator?: unknown; localStorage?: unknown; wx?: unknown; uni?: unknown }
const globals = globalThis as Globals
const cryptoDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!

afterEach(() => {
  delete globals.window
  delete globals.navigator
  delete globals.localStorage
  delete globals.wx
  delete globals.uni
  Object.defineProperty(globalThis, 'crypto', cryptoDescriptor)
})

/** Like uni-app H5's `uni`: storage over localStorage (unbounded limit), a network that only knows `effectiveType`. */
function h5LikeUni(options: { limitSize?: number; currentSize?: number } = {}) {
  const items = new Map<string, unknown>()
  const networkListeners: Array<(status: RuntimeNetworkStatus) => void> = []
  const runtime: MiniProgramRuntime = {
    setStorageSync: (key, data) => void items.set(key, data),
    getStorageSync: (key) => (items.has(key) ? items.get(key) : ''),
    removeStorageSync: (key) => void items.delete(key),
    getStorageInfoSync: () => ({ keys: [...items.keys()], currentSize: options.currentSize ?? 0, limitSize: options.limitSize ?? Number.MAX_VALUE }),
    getNetworkType: (callbacks) => callbacks.success?.({ networkType: '4g' }),
    onNetworkStatusChange: (listener) => void networkListeners.push(listener),
    request: () => ({ abort: () => undefined }),
    uploadFile: () => ({ abort: () => undefined }),
    downloadFile: () => ({ abort: () => undefined }),
  }
  return { runtime, networkListeners }
}

/** A browser window whose connectivity a test switches, firing `online` / `offline` as a browser does. */
function fakeBrowser() {
  const events = new EventEmitter()
  const navigator = { onLine: true }
  const window = {
    addEventListener: (type: string, listener: () => void) => void events.on(type, listener),
    removeEventListener: (type: string, listener: () => void) => void events.off(type, listener),
  }
  globals.window = window
  globals.navigator = navigator
  return {
    set(online: boolean) {
      navigator.onLine = online
      events.emit(online ? 'online' : 'offline')
    },
    listenerCount: () => events.listenerCount('online') + events.listenerCount('offline'),
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

/** Polls until `condition` holds; fails with `what` after 5 s of real time. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 500 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

describe('random ids', () => {
  test('without a runtime getRandomValues the bytes come from crypto.getRandomValues, and the capability says secure', async () => {
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues')
    const platform = createUniPlatform(h5LikeUni().runtime)
    expect(platform.capabilities.secureRandom).toBe(true)
    const bytes = await platform.randomBytes(16)
    expect(spy).toHaveBeenCalledTimes(1)
    expect(spy.mock.results[0]!.value).toBe(bytes)
    expect(bytes).toHaveLength(16)
    spy.mockRestore()
  })

  test('with neither, Math.random is the last resort and the capability says so', async () => {
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    const random = jest.spyOn(Math, 'random')
    const platform = createUniPlatform(h5LikeUni().runtime)
    expect(platform.capabilities.secureRandom).toBe(false)
    expect(await platform.randomBytes(8)).toHaveLength(8)
    expect(random).toHaveBeenCalledTimes(8)
    random.mockRestore()
  })

  test("the runtime's own getRandomValues comes first", async () => {
    const spy = jest.spyOn(globalThis.crypto, 'getRandomValues')
    const emu = createWxEmulator()
    const platform = createWxPlatform(emu.wx)
    expect(platform.capabilities.secureRandom).toBe(true)
    expect(await platform.randomBytes(16)).toHaveLength(16)
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()
    await emu.dispose()
  })
})

describe('network state in a browser', () => {
  test("navigator.onLine overrides the runtime's '4g', and online/offline events reach subscribers", async () => {
    const browser = fakeBrowser()
    const { runtime } = h5LikeUni()
    const platform = createUniPlatform(runtime)
    await expect(platform.network.getStatus()).resolves.toEqual({ isConnected: true, networkType: '4g' })

    const seen: unknown[] = []
    const stop = platform.network.onChange((status) => seen.push(status))
    browser.set(false)
    await flush()
    expect(seen).toEqual([{ isConnected: false, networkType: 'none' }])
    await expect(platform.network.getStatus()).resolves.toEqual({ isConnected: false, networkType: 'none' })

    browser.set(true)
    await flush()
    expect(seen).toEqual([
      { isConnected: false, networkType: 'none' },
      { isConnected: true, networkType: '4g' },
    ])
    stop()
    expect(browser.listenerCount()).toBe(0)
    browser.set(false)
    await flush()
    expect(seen).toHaveLength(2)
  })

  test("a runtime change while the browser is offline still reports offline", async () => {
    const browser = fakeBrowser()
    const { runtime, networkListeners } = h5LikeUni()
    const platform = createUniPlatform(runtime)
    const seen: unknown[] = []
    platform.network.onChange((status) => seen.push(status))
    browser.set(false)
    await flush()
    networkListeners.forEach((listener) => listener({ isConnected: true, networkType: 'wifi' }))
    expect(seen).toEqual([
      { isConnected: false, networkType: 'none' },
      { isConnected: false, networkType: 'none' },
    ])
  })

  test('a client built on it goes offline with the browser and queues', async () => {
    const browser = fakeBrowser()
    const emu = createWxEmulator({ uniTarget: 'h5' })
    const offline = createOffline({ platform: createUniPlatform(emu.uni, { clock: emu.clock }), namespace: 'web-online' })
    await offline.ready
    browser.set(false)
    await waitFor(() => !offline.status.get().online, 'the status to go offline')
    const result = await offline.request({ url: 'http://127.0.0.1:9/visits', method: 'POST', data: { n: 1 } })
    expect(result.status).toBe('queued')
    offline.close()
    await emu.dispose()
  })
})

describe('storage budget on localStorage', () => {
  test("uni-h5's unbounded limit becomes localStorage's capacity, and its UTF-16 byte count becomes characters", () => {
    globals.localStorage = { length: 0 }
    const platform = createUniPlatform(h5LikeUni({ currentSize: 2048 }).runtime)
    expect(platform.storage.info()).toMatchObject({ currentSizeKB: 1024, limitSizeKB: LOCAL_STORAGE_CAPACITY_KB })
    expect(LOCAL_STORAGE_CAPACITY_KB).toBe(5120)
  })

  test('a runtime that reports a real limit is taken at its word', () => {
    globals.localStorage = { length: 0 }
    const platform = createUniPlatform(h5LikeUni({ currentSize: 100, limitSize: 10240 }).runtime)
    expect(platform.storage.info()).toMatchObject({ currentSizeKB: 100, limitSizeKB: 10240 })
  })

  test('without localStorage nothing is guessed', () => {
    const platform = createUniPlatform(h5LikeUni({ currentSize: 100 }).runtime)
    expect(platform.storage.info().limitSizeKB).toBe(Number.MAX_VALUE)
  })

  test('without batch APIs the storage offers none', () => {
    expect(createUniPlatform(h5LikeUni().runtime).storage.batchSet).toBeUndefined()
    expect(createUniPlatform(h5LikeUni().runtime).storage.batchGet).toBeUndefined()
  })
})

describe('the global uni of a tree-shaken H5 build', () => {
  test('the empty window.wx uni-app leaves behind is passed over for uni', () => {
    const { runtime } = h5LikeUni()
    globals.wx = {}
    globals.uni = runtime
    const platform = detectPlatform()
    expect(platform.name).toBe('uni')
    platform.storage.set('k', { a: 1 })
    expect(runtime.getStorageSync('k')).toEqual({ a: 1 })
  })

  test('createUniPlatform() and createUniPlatform(uni) share one storage over the global uni', () => {
    const { runtime } = h5LikeUni()
    globals.uni = runtime
    const implicit = createUniPlatform()
    const explicit = createUniPlatform(runtime)
    expect(explicit.storage).toBe(implicit.storage)
    implicit.storage.set('k', 1)
    expect(explicit.storage.get('k')).toBe(1)
  })

  test('without a global uni, createUniPlatform() fails clearly', () => {
    expect(() => createUniPlatform()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }))
  })
})
