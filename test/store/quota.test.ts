import { QuotaExceededError } from '../../sdk/errors'
import { DEFAULT_MAX_BYTES } from '../../sdk/store'
import { META_KEY, attempt, bytesUnder, createHarness, expectTidy, keysUnder, snapshot } from './store-harness'

const KIB = 1024
const MIB = 1024 * KIB

describe('the store budget', () => {
  test('defaults to 6 MiB, leaving room for the host app in WeChat\'s 10 MB', () => {
    const { open } = createHarness()
    expect(DEFAULT_MAX_BYTES).toBe(6 * MIB)
    expect(open().usage().maxBytes).toBe(6 * MIB)
  })

  test('a value over the budget is refused before any write, and nothing stored is lost', () => {
    const { emu, open } = createHarness()
    const store = open({ maxBytes: 8 * KIB, chunkBytes: KIB })
    store.put('a', 'x'.repeat(3000))
    store.put('b', { small: true })
    const before = snapshot(emu)
    const writes = emu.faults.writes
    const usage = store.usage()
    const error = attempt(() => store.put('c', 'y'.repeat(6000)))
    expect(error).toBeInstanceOf(QuotaExceededError)
    const quota = error as QuotaExceededError
    expect(quota.code).toBe('QUOTA_EXCEEDED')
    expect(quota.availableBytes).toBe(8 * KIB - usage.bytes)
    expect(quota.requiredBytes).toBeGreaterThan(6000)
    expect(quota.message).toMatch(/"c" needs \d+ bytes/)
    expect(emu.faults.writes).toBe(writes)
    expect(snapshot(emu)).toEqual(before)
    expect(store.get('a')).toBe('x'.repeat(3000))
    expect(store.get('b')).toEqual({ small: true })
    expect(store.has('c')).toBe(false)
    expect(store.usage()).toEqual(usage)
  })

  test('an overwrite is refused when the new value does not fit, keeping the old one', () => {
    const { emu, open } = createHarness()
    const store = open({ maxBytes: 4 * KIB, chunkBytes: KIB })
    store.put('k', 'old')
    const writes = emu.faults.writes
    expect(() => store.put('k', 'n'.repeat(5000))).toThrow(QuotaExceededError)
    expect(emu.faults.writes).toBe(writes)
    expect(store.get('k')).toBe('old')
  })

  test('an overwrite counts the bytes it frees: it fits if the end state fits', () => {
    const { emu, open } = createHarness()
    const store = open({ maxBytes: 4 * KIB, chunkBytes: KIB })
    store.put('k', 'a'.repeat(3000))
    expect(() => store.put('other', 'b'.repeat(3000))).toThrow(QuotaExceededError)
    store.put('k', 'c'.repeat(3100))
    expect(store.get('k')).toBe('c'.repeat(3100))
    expectTidy(store, emu)
  })

  test('a store over a lowered budget can still shrink and remove, but not grow', () => {
    const harness = createHarness()
    const store = harness.open({ maxBytes: 64 * KIB, chunkBytes: KIB })
    store.put('a', 'a'.repeat(20 * KIB))
    store.put('b', 'b'.repeat(20 * KIB))
    store.close()
    const small = harness.open({ maxBytes: 16 * KIB, chunkBytes: KIB })
    expect(small.usage().bytes).toBeGreaterThan(16 * KIB)
    expect(() => small.put('c', 1)).toThrow(QuotaExceededError)
    expect(() => small.put('a', 'a'.repeat(21 * KIB))).toThrow(QuotaExceededError)
    small.put('a', 'shrunk')
    small.remove('b')
    expect(small.get('a')).toBe('shrunk')
    small.put('c', 1)
    expectTidy(small, harness.emu)
  })

  test('a 7 MB value is refused under the default budget with no write', () => {
    const { emu, open } = createHarness({ maxTotalBytes: 64 * MIB })
    const store = open()
    const writes = emu.faults.writes
    expect(() => store.put('huge', 'z'.repeat(7 * 1000 * 1000))).toThrow(QuotaExceededError)
    expect(emu.faults.writes).toBe(writes)
  })
})

describe('a full device', () => {
  /** Storage of 64 KiB in all, 40 KB of it taken by the host app's own key. */
  function crowded(errorPrefix?: string): ReturnType<typeof createHarness> {
    const harness = createHarness({ maxTotalBytes: 64 * KIB, errorPrefix }, { chunkBytes: KIB })
    harness.emu.wx.setStorageSync('host-app-cache', 'h'.repeat(40 * 1000))
    return harness
  }

  test.each([[undefined], ['APP-SERVICE-SDK:']])(
    'a put that fills the device mid-way (error prefix %s) throws QuotaExceededError; the chunks it wrote are removed and the old value stays',
    (errorPrefix) => {
      const { emu, open } = crowded(errorPrefix)
      const store = open()
      store.put('k', { version: 1, body: 'o'.repeat(5000) })
      const before = snapshot(emu)
      const error = attempt(() => store.put('k', { version: 2, body: 'n'.repeat(30 * KIB) }))
      expect(error).toBeInstanceOf(QuotaExceededError)
      expect((error as Error).message).toMatch(/exceed storage max size/)
      expect((error as QuotaExceededError).availableBytes).toBeLessThan(30 * KIB)
      expect(snapshot(emu)).toEqual(before)
      expect(store.get('k')).toEqual({ version: 1, body: 'o'.repeat(5000) })
      expectTidy(store, emu)
      // Once the host app frees room, the same store carries on.
      emu.wx.removeStorageSync('host-app-cache')
      store.put('k', { version: 2, body: 'n'.repeat(30 * KIB) })
      expect(store.get('k')).toEqual({ version: 2, body: 'n'.repeat(30 * KIB) })
      expectTidy(store, emu)
    },
  )

  test('an overwrite of 5.5 MB by 5.5 MB on a 10 MiB phone fails cleanly: both cannot coexist during the commit', () => {
    const { emu, open } = createHarness()
    const store = open({ maxBytes: 9 * MIB })
    const old = 'o'.repeat(5.5 * 1000 * 1000)
    store.put('k', old)
    const keys = keysUnder(emu)
    expect(() => store.put('k', 'n'.repeat(5.5 * 1000 * 1000))).toThrow(QuotaExceededError)
    expect(keysUnder(emu)).toEqual(keys)
    expect(store.get('k')).toBe(old)
    expectTidy(store, emu)
  })

  test('a runtime per-key limit below chunkBytes is reported as QuotaExceededError, nothing left behind', () => {
    const { emu, open } = createHarness({ maxItemBytes: 2 * KIB })
    const store = open({ chunkBytes: 4 * KIB })
    const error = attempt(() => store.put('k', 'x'.repeat(3 * KIB)))
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect((error as Error).message).toMatch(/exceed storage item max length/)
    expect(keysUnder(emu)).toEqual([META_KEY])
    expect(store.usage().bytes).toBe(bytesUnder(emu))
  })

  test('the first open on a full device opens without writing (no crash at launch); the first write that fits writes the format record too', () => {
    const { emu, open } = createHarness({ maxTotalBytes: 1000 })
    emu.wx.setStorageSync('host', 'h'.repeat(990 - 'host'.length - 2))
    const store = open()
    expect(keysUnder(emu)).toEqual([])
    expect(() => store.put('a', 1)).toThrow(QuotaExceededError)
    expect(keysUnder(emu)).toEqual([])
    emu.wx.removeStorageSync('host')
    store.put('a', 1)
    expect(keysUnder(emu)).toContain(META_KEY)
    expect(store.get('a')).toBe(1)
    expect(store.usage().bytes).toBe(bytesUnder(emu))
  })
})
