import { createWxEmulator, type WxEmulator } from '../../sdk/testing'

describe('emu.uni: the same state seen through uni-app', () => {
  const emulators: WxEmulator[] = []
  const make = (options: Parameters<typeof createWxEmulator>[0] = {}) => {
    const emu = createWxEmulator(options)
    emulators.push(emu)
    return emu
  }

  afterEach(() => {
    for (const emu of emulators.splice(0)) emu.dispose()
  })

  test('on mp-weixin (the default) uni has every wx member, over the same storage', () => {
    const emu = make()
    expect(Object.keys(emu.uni).sort()).toEqual(Object.keys(emu.wx).sort())
    expect(typeof emu.uni.getFileSystemManager).toBe('function')
    expect(emu.uni.env?.USER_DATA_PATH).toBe('wxfile://usr')
    emu.uni.setStorageSync('shared', 42)
    expect(emu.wx.getStorageSync('shared')).toBe(42)
  })

  test('on h5 there is no file system, no compressImage and no onAppShow/onAppHide', () => {
    const emu = make({ uniTarget: 'h5' })
    expect(emu.uni.getFileSystemManager).toBeUndefined()
    expect(emu.uni.env).toBeUndefined()
    expect(emu.uni.compressImage).toBeUndefined()
    expect(emu.uni.onAppShow).toBeUndefined()
    expect(emu.uni.onAppHide).toBeUndefined()
    expect(emu.uni.batchSetStorageSync).toBeUndefined()
    // What every target has still works, on the shared state.
    emu.wx.setStorageSync('k', 'v')
    expect(emu.uni.getStorageSync('k')).toBe('v')
    expect(typeof emu.uni.request).toBe('function')
    // wx itself is untouched.
    expect(typeof emu.wx.getFileSystemManager).toBe('function')
  })

  test('on app the same mini-program-only members are missing', () => {
    const emu = make({ uniTarget: 'app' })
    expect(emu.uni.getFileSystemManager).toBeUndefined()
    expect(emu.uni.onAppHide).toBeUndefined()
    expect(typeof emu.uni.onNetworkStatusChange).toBe('function')
  })
})
