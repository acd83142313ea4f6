import { createWxEmulator, EMULATED_SDK_VERSION, type WxEmulator } from '../../sdk/testing'

describe('app-level APIs a built uni-app vendor.js calls at load', () => {
  let emu: WxEmulator

  beforeEach(() => {
    emu = createWxEmulator()
  })

  afterEach(() => emu.dispose())

  test('getSystemInfoSync joins device, window and app base info, WeChat-shaped', () => {
    const info = emu.wx.getSystemInfoSync()
    expect(info).toEqual(expect.objectContaining({ ...emu.wx.getDeviceInfo(), ...emu.wx.getWindowInfo(), ...emu.wx.getAppBaseInfo() }))
    expect(info.SDKVersion).toBe(EMULATED_SDK_VERSION)
    expect(info.platform).toBe('ios')
    expect(info.language).toBe('zh_CN')
    expect(info.windowHeight).toBeLessThan(info.screenHeight)
    expect(info.safeArea.bottom).toBeLessThanOrEqual(info.screenHeight)
    expect(info.safeArea.height).toBe(info.safeArea.bottom - info.safeArea.top)
    expect(info.statusBarHeight).toBe(info.safeArea.top)
  })

  test('each call returns a fresh copy', () => {
    const info = emu.wx.getWindowInfo()
    info.safeArea.top = 0
    expect(emu.wx.getWindowInfo().safeArea.top).toBe(47)
  })

  test('canIUse answers from the APIs this wx has', () => {
    expect(emu.wx.canIUse('request')).toBe(true)
    expect(emu.wx.canIUse('getFileSystemManager.readFile')).toBe(true)
    expect(emu.wx.canIUse('batchGetStorageSync')).toBe(true)
    expect(emu.wx.canIUse('openBluetoothAdapter')).toBe(false)
    expect(emu.wx.canIUse('button.open-type.contact')).toBe(false)
    const old = createWxEmulator({ features: { batchStorage: false }, fileSystem: false })
    try {
      expect(old.wx.canIUse('batchGetStorageSync')).toBe(false)
      expect(old.wx.canIUse('getFileSystemManager')).toBe(false)
    } finally {
      old.dispose()
    }
  })

  test('onError hears reportError() until offError', () => {
    const heard: string[] = []
    const listener = (error: { message: string }) => heard.push(error.message)
    emu.wx.onError(listener)
    emu.reportError(new Error('render failed'))
    emu.reportError('plain message')
    emu.wx.offError(listener)
    emu.reportError('not heard')
    expect(heard).toEqual(['render failed', 'plain message'])
  })

  test('onAppRoute hears route() until offAppRoute', () => {
    const heard: Array<{ path: string; openType: string }> = []
    const listener = ({ path, openType }: { path: string; openType: string }) => heard.push({ path, openType })
    emu.wx.onAppRoute(listener)
    emu.route('pages/visit/new')
    emu.route('pages/index/index', 'navigateBack')
    emu.wx.offAppRoute(listener)
    emu.route('pages/visit/new')
    expect(heard).toEqual([
      { path: 'pages/visit/new', openType: 'navigateTo' },
      { path: 'pages/index/index', openType: 'navigateBack' },
    ])
  })

  test('uni on h5 has the info APIs but no onAppRoute', () => {
    const h5 = createWxEmulator({ uniTarget: 'h5', fileSystem: false })
    try {
      expect(h5.uni.getSystemInfoSync().SDKVersion).toBe(EMULATED_SDK_VERSION)
      expect(h5.uni.getLaunchOptionsSync().path).toBe('pages/index/index')
      expect('onAppRoute' in h5.uni).toBe(false)
    } finally {
      h5.dispose()
    }
  })
})

describe('clearStorageSync: the host app wipes storage', () => {
  let emu: WxEmulator

  beforeEach(() => {
    emu = createWxEmulator()
  })

  afterEach(() => emu.dispose())

  test('every key goes, the SDK\'s included, and the size drops to zero', () => {
    emu.wx.setStorageSync('mpo/sales/meta', { format: 1 })
    emu.wx.setStorageSync('token', 'abc')
    emu.wx.clearStorageSync()
    expect(emu.wx.getStorageInfoSync()).toEqual(expect.objectContaining({ keys: [], currentSize: 0 }))
    expect(emu.storage.usedBytes).toBe(0)
    expect(emu.wx.getStorageSync('token')).toBe('')
  })

  test('it is one write for the fault injector: a kill there leaves storage whole', () => {
    emu.wx.setStorageSync('a', 1)
    const before = emu.faults.writes
    emu.faults.killAtWrite(1)
    expect(() => emu.wx.clearStorageSync()).toThrow()
    expect(emu.faults.history[emu.faults.history.length - 1]).toEqual(expect.objectContaining({ api: 'clearStorageSync' }))
    expect(emu.faults.writes).toBe(before + 1)
    emu.restart()
    expect(emu.wx.getStorageSync('a')).toBe(1)
  })

  test('clearStorage is the async twin: success on a later turn', async () => {
    emu.wx.setStorageSync('a', 1)
    const result = await new Promise<{ errMsg: string }>((resolve, reject) => emu.wx.clearStorage({ success: resolve, fail: reject }))
    expect(result.errMsg).toBe('clearStorage:ok')
    expect(emu.wx.getStorageInfoSync().keys).toEqual([])
  })

  test('an injected failure reaches clearStorage\'s fail and clears nothing', async () => {
    emu.wx.setStorageSync('a', 1)
    emu.faults.throwAtWrite(1, 'io error (injected)')
    const error = await new Promise<{ errMsg: string }>((resolve) => emu.wx.clearStorage({ fail: resolve }))
    expect(error.errMsg).toBe('clearStorage:fail io error (injected)')
    expect(emu.wx.getStorageSync('a')).toBe(1)
  })
})
