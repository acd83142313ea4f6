/**
 * The host app wipes storage behind the store's back (`wx.clearStorageSync()`,
 * or removing some of the SDK's keys). The store notices through
 * `checkIntact()`, reports what was lost, and never refuses a write because
 * of bytes that are no longer there.
 */
import { QuotaExceededError } from '../../sdk/errors'
import type { PlatformStorage } from '../../sdk/platform/platform'
import { DurableStore } from '../../sdk/store'
import { META_KEY, NAMESPACE, PREFIX, attempt, bytesUnder, createHarness, expectTidy, keysUnder, mixedText } from './store-harness'

const KIB = 1024

/** Counts the calls a store makes, to prove the cheap path is cheap. */
function counting(storage: PlatformStorage): { storage: PlatformStorage; calls: Record<string, number> } {
  const calls: Record<string, number> = { get: 0, set: 0, remove: 0, info: 0 }
  return {
    calls,
    storage: {
      get: (key) => (calls.get++, storage.get(key)),
      set: (key, value) => (calls.set++, storage.set(key, value)),
      remove: (key) => (calls.remove++, storage.remove(key)),
      info: () => (calls.info++, storage.info()),
    },
  }
}

describe('checkIntact: noticing a wipe', () => {
  test('while storage is whole it costs one get and reports nothing', () => {
    const h = createHarness()
    const counted = counting(h.storage)
    const store = DurableStore.open(counted.storage, { namespace: NAMESPACE })
    store.put('a', 1)
    for (const key of Object.keys(counted.calls)) counted.calls[key] = 0
    expect(store.checkIntact()).toEqual({ lostKeys: [], remeasured: false })
    expect(counted.calls).toEqual({ get: 1, set: 0, remove: 0, info: 0 })
  })

  test('after wx.clearStorageSync() it reports every lost key, zeroes the usage and writes the format record again', () => {
    const h = createHarness({}, { chunkBytes: KIB })
    const store = h.open()
    store.put('visit/2', { customer: '李四' })
    store.put('visit/1', mixedText(5 * KIB)) // chunked
    h.emu.wx.setStorageSync('host/token', 'abc')
    h.emu.wx.clearStorageSync()

    expect(store.checkIntact()).toEqual({ lostKeys: ['visit/1', 'visit/2'], remeasured: true })
    expect(store.keys()).toEqual([])
    expect(store.get('visit/1')).toBeUndefined()
    expect(keysUnder(h.emu)).toEqual([META_KEY])
    expect(store.usage().bytes).toBe(bytesUnder(h.emu))
    expectTidy(store, h.emu)
    // Reported once: the next check finds nothing new.
    expect(store.checkIntact()).toEqual({ lostKeys: [], remeasured: false })
  })

  test('values written after the wipe are kept, and the store works on as before', () => {
    const h = createHarness()
    const store = h.open()
    store.put('old', 1)
    h.emu.wx.clearStorageSync()
    store.checkIntact()
    store.put('new', { after: 'wipe' })
    expect(store.get('new')).toEqual({ after: 'wipe' })
    expectTidy(store, h.emu)
    store.close()
    h.restart()
    const reopened = h.open()
    expect(reopened.keys()).toEqual(['new'])
  })

  test('a partial removal (one value\'s head, another\'s chunk) is found once the store re-measures', () => {
    const h = createHarness({}, { chunkBytes: KIB })
    const store = h.open()
    store.put('inline', { v: 1 })
    store.put('chunked', mixedText(4 * KIB, 3))
    store.put('kept', 'still here')
    const inlineHead = keysUnder(h.emu).find((key) => key.startsWith(`${PREFIX}h.`) && key.endsWith('.inline')) as string
    const aChunk = keysUnder(h.emu).find((key) => key.startsWith(`${PREFIX}c.`) && key.endsWith('.chunked')) as string
    h.emu.wx.removeStorageSync(inlineHead)
    h.emu.wx.removeStorageSync(aChunk)
    h.emu.wx.removeStorageSync(META_KEY)

    expect(store.checkIntact()).toEqual({ lostKeys: ['chunked', 'inline'], remeasured: true })
    expect(store.get('kept')).toBe('still here')
    // The chunked value's surviving chunks and head were leftovers: removed.
    expectTidy(store, h.emu)
  })
})

describe('a budget refusal measures again first', () => {
  test('after a wipe, a write into the emptied budget succeeds without any checkIntact()', () => {
    const h = createHarness()
    const store = h.open({ maxBytes: 8 * KIB })
    store.put('a', 'x'.repeat(3000))
    store.put('b', 'y'.repeat(3000))
    expect(attempt(() => store.put('c', 'z'.repeat(3000)))).toBeInstanceOf(QuotaExceededError)
    h.emu.wx.clearStorageSync()

    store.put('c', 'z'.repeat(3000))
    expect(store.get('c')).toBe('z'.repeat(3000))
    expect(store.keys()).toEqual(['c'])
    expect(store.usage().bytes).toBe(bytesUnder(h.emu))
    expectTidy(store, h.emu)
    // What the re-measure found lost is still reported to the next check.
    expect(store.checkIntact()).toEqual({ lostKeys: ['a', 'b'], remeasured: false })
  })

  test('a store that really is full still refuses, writing nothing', () => {
    const h = createHarness()
    const store = h.open({ maxBytes: 8 * KIB })
    store.put('a', 'x'.repeat(3000))
    store.put('b', 'y'.repeat(3000))
    const writes = h.emu.faults.writes
    const error = attempt(() => store.put('c', 'z'.repeat(3000)))
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect((error as QuotaExceededError).limit).toBe('budget')
    expect(h.emu.faults.writes).toBe(writes)
    expect(store.keys()).toEqual(['a', 'b'])
    expect(store.checkIntact()).toEqual({ lostKeys: [], remeasured: false })
  })

  test('a re-measure after a partial removal frees exactly the bytes that went', () => {
    const h = createHarness()
    const store = h.open({ maxBytes: 8 * KIB })
    store.put('a', 'x'.repeat(3000))
    store.put('b', 'y'.repeat(3000))
    const headOfA = keysUnder(h.emu).find((key) => key.endsWith('.a')) as string
    h.emu.wx.removeStorageSync(headOfA)
    store.put('c', 'z'.repeat(3000))
    expect(store.keys()).toEqual(['b', 'c'])
    expect(store.usage().bytes).toBe(bytesUnder(h.emu))
    // b is still counted, so a fourth value does not fit.
    expect(attempt(() => store.put('d', 'w'.repeat(3000)))).toBeInstanceOf(QuotaExceededError)
  })
})
