import { createWxEmulator, type WxEmulator } from '../../sdk/testing'

const MIB = 1024 * 1024

describe('emulated storage: WeChat limits and errors', () => {
  let emu: WxEmulator

  beforeEach(() => {
    emu = createWxEmulator()
  })

  afterEach(() => emu.dispose())

  test('a missing key reads as the empty string', () => {
    expect(emu.wx.getStorageSync('never-set')).toBe('')
  })

  test('values round-trip through JSON: Dates become strings, undefined members vanish', () => {
    const at = new Date('2026-01-02T03:04:05.000Z')
    emu.wx.setStorageSync('k', { at, n: 1, nested: [1, 'two', null], gone: undefined })
    const value = emu.wx.getStorageSync('k')
    expect(value).toEqual({ at: '2026-01-02T03:04:05.000Z', n: 1, nested: [1, 'two', null] })
    // A fresh copy each read: mutating it does not change what is stored.
    ;(value as { n: number }).n = 99
    expect((emu.wx.getStorageSync('k') as { n: number }).n).toBe(1)
  })

  test('the per-key limit is 1 MiB of UTF-8, so Chinese text counts 3 bytes a character', () => {
    // JSON adds 2 quote bytes; 349525 chars * 3 = 1048575 bytes + 2 > 1 MiB.
    const chinese = '中'.repeat(349525)
    expect(() => emu.wx.setStorageSync('zh', chinese)).toThrow('setStorageSync:fail exceed storage item max length')
    expect(emu.wx.getStorageSync('zh')).toBe('')
    // The same number of ASCII characters fits easily.
    emu.wx.setStorageSync('ascii', 'a'.repeat(349525))
    // Exactly at the limit fits: 1 MiB - 2 quote bytes.
    emu.wx.setStorageSync('edge', 'a'.repeat(MIB - 2))
    expect(() => emu.wx.setStorageSync('over', 'a'.repeat(MIB - 1))).toThrow(/exceed storage item max length/)
  })

  test('10 MiB in total, with the message phones report, and nothing written by the failing call', () => {
    const chunk = 'x'.repeat(MIB - 100)
    for (let i = 0; i < 10; i++) emu.wx.setStorageSync(`k${i}`, chunk)
    expect(() => emu.wx.setStorageSync('k10', chunk)).toThrow('setStorageSync:fail exceed storage max size 10Mb')
    expect(emu.wx.getStorageSync('k10')).toBe('')
    // Overwriting a key counts the new value instead of the old one.
    emu.wx.setStorageSync('k9', 'small')
    emu.wx.setStorageSync('k10', chunk)
  })

  test('getStorageInfoSync reports keys and sizes in KB', () => {
    emu.wx.setStorageSync('a', 'x'.repeat(2048))
    emu.wx.setStorageSync('b', 1)
    const info = emu.wx.getStorageInfoSync()
    expect(info.keys.sort()).toEqual(['a', 'b'])
    // ('a' + 2050) + ('b' + 1) = 2053 bytes -> 3 KB, rounded up.
    expect(info.currentSize).toBe(3)
    expect(info.limitSize).toBe(10240)
  })

  test('removeStorageSync frees the space', () => {
    emu.wx.setStorageSync('a', 'x'.repeat(4096))
    emu.wx.removeStorageSync('a')
    expect(emu.wx.getStorageSync('a')).toBe('')
    expect(emu.wx.getStorageInfoSync().currentSize).toBe(0)
  })

  test('batch calls exist by default and can be switched off like an old base library', () => {
    emu.wx.batchSetStorageSync?.([
      { key: 'a', value: 1 },
      { key: 'b', value: { two: 2 } },
    ])
    expect(emu.wx.batchGetStorageSync?.(['a', 'b', 'missing'])).toEqual([1, { two: 2 }, ''])
    const old = createWxEmulator({ features: { batchStorage: false } })
    expect(old.wx.batchSetStorageSync).toBeUndefined()
    old.dispose()
  })
})
