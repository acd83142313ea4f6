import { FutureFormatError, InUseError, InvalidArgumentError, StoreCorruptedError } from '../../sdk/errors'
import type { PlatformStorage } from '../../sdk/platform/platform'
import { DurableStore, STORE_FORMAT, type DurableStoreOptions } from '../../sdk/store'
import { META_KEY, NAMESPACE, PREFIX, createHarness, expectTidy, keysUnder, snapshot, storedBytes } from './store-harness'

const KIB = 1024

describe('the format record', () => {
  test('the first open writes { format: 1 } in one write; later opens write nothing', () => {
    const harness = createHarness()
    const writes = harness.emu.faults.writes
    const store = harness.open()
    expect(harness.emu.faults.writes - writes).toBe(1)
    expect(harness.emu.wx.getStorageSync(META_KEY)).toEqual({ format: 1 })
    expect(STORE_FORMAT).toBe(1)
    expect(store.usage().bytes).toBe(storedBytes(harness.emu, META_KEY))
    store.put('k', 'v')
    store.close()
    harness.restart()
    const again = harness.emu.faults.writes
    harness.open()
    expect(harness.emu.faults.writes).toBe(again)
  })

  test('a store written by a newer release is refused with FutureFormatError and left untouched', () => {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    store.put('k', 'x'.repeat(3 * KIB))
    harness.emu.faults.killAtWrite(2) // leaves an orphan chunk a repair would delete
    expect(() => store.put('k', 'y'.repeat(3 * KIB))).toThrow()
    harness.restart()
    harness.emu.wx.setStorageSync(META_KEY, { format: 2, layout: 'something new' })
    const before = snapshot(harness.emu)
    const writes = harness.emu.faults.writes
    let error: unknown
    try {
      harness.open()
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(FutureFormatError)
    expect((error as Error).message).toMatch(/format 2 is newer than this SDK supports \(1\)/)
    expect(harness.emu.faults.writes).toBe(writes)
    expect(snapshot(harness.emu)).toEqual(before)
    // Refusing did not claim the namespace.
    harness.emu.wx.setStorageSync(META_KEY, { format: 1 })
    expect(harness.open().get('k')).toBe('x'.repeat(3 * KIB))
  })

  test.each([['a string', 'v1'], ['a format that is not a number', { format: '1' }], ['format 0', { format: 0 }]])(
    'a format record holding %s is refused with StoreCorruptedError, untouched',
    (_name, meta) => {
      const harness = createHarness()
      harness.open().put('k', 1)
      harness.restart()
      harness.emu.wx.setStorageSync(META_KEY, meta)
      const before = snapshot(harness.emu)
      expect(() => harness.open()).toThrow(StoreCorruptedError)
      expect(snapshot(harness.emu)).toEqual(before)
    },
  )

  test('records without a format record (it was deleted) are kept, and the record is rewritten', () => {
    const harness = createHarness()
    harness.open().put('k', { kept: true })
    harness.restart()
    harness.emu.wx.removeStorageSync(META_KEY)
    const store = harness.open()
    expect(store.get('k')).toEqual({ kept: true })
    expect(harness.emu.wx.getStorageSync(META_KEY)).toEqual({ format: 1 })
    expectTidy(store, harness.emu)
  })
})

describe('opening', () => {
  test('reads only the format record, whatever the number of values', () => {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    for (let i = 0; i < 500; i++) store.put(`entry/${i}`, { i, body: 'b'.repeat(i % 7 === 0 ? 2 * KIB : 100) })
    harness.restart()
    const gets = jest.spyOn(harness.emu.wx, 'getStorageSync')
    const batchGets = jest.spyOn(harness.emu.wx, 'batchGetStorageSync' as 'getStorageSync')
    const reopened = harness.open()
    expect(gets.mock.calls).toEqual([[META_KEY]])
    expect(batchGets).not.toHaveBeenCalled()
    expect(reopened.usage().keys).toBe(500)
    gets.mockRestore()
    batchGets.mockRestore()
    expectTidy(reopened, harness.emu)
  })

  test('keys under the prefix that the store did not write are ignored, untouched and uncounted', () => {
    const harness = createHarness()
    const foreign: Record<string, unknown> = {
      [`${PREFIX}notes`]: 'someone else',
      [`${PREFIX}h.01.0.z.k`]: 'leading zero',
      [`${PREFIX}h.1.0.1.k`]: 'size smaller than its own name',
      [`${PREFIX}c.x`]: 'not a chunk name',
      [`${PREFIX}h.1.0.zz.`]: 'no user key',
      [`${PREFIX}h.0.0.zz.k`]: 'generation 0',
    }
    for (const [key, value] of Object.entries(foreign)) harness.emu.wx.setStorageSync(key, value)
    harness.emu.wx.setStorageSync('host-app-key', { mine: true })
    harness.emu.wx.setStorageSync(`mpo/${NAMESPACE}x/h.1.0.zz.k`, 'another namespace')
    const store = harness.open()
    expect([...store.foreignKeys].sort()).toEqual(Object.keys(foreign).sort())
    expect(store.keys()).toEqual([])
    store.put('k', 'mine')
    store.remove('k')
    store.put('j', 'x'.repeat(2000))
    store.clear()
    store.put('k', 'final')
    for (const [key, value] of Object.entries(foreign)) expect(harness.emu.wx.getStorageSync(key)).toEqual(value)
    expect(harness.emu.wx.getStorageSync('host-app-key')).toEqual({ mine: true })
    expectTidy(store, harness.emu, Object.keys(foreign))
  })

  test('the newest complete head wins; superseded heads and stray chunks are removed', () => {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    store.put('k', 'old'.repeat(1000))
    const oldKeys = Object.entries(snapshot(harness.emu)).filter(([key]) => key.endsWith('.k'))
    store.put('k', 'new'.repeat(1000))
    store.close()
    // Put the old record back: two complete heads, as a crash right after the commit leaves them.
    for (const [key, json] of oldKeys) harness.emu.wx.setStorageSync(key, JSON.parse(json))
    harness.restart()
    const reopened = harness.open()
    expect(reopened.get('k')).toBe('new'.repeat(1000))
    expectTidy(reopened, harness.emu)
    for (const [key] of oldKeys) expect(keysUnder(harness.emu)).not.toContain(key)
  })

  test('a head missing a chunk is not trusted: an older complete head wins, or the key is absent', () => {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    store.put('k', 'old'.repeat(1000))
    store.put('lonely', 'l'.repeat(3000))
    const oldKeys = Object.entries(snapshot(harness.emu)).filter(([key]) => key.endsWith('.k'))
    store.put('k', 'new'.repeat(1000))
    store.close()
    for (const [key, json] of oldKeys) harness.emu.wx.setStorageSync(key, JSON.parse(json))
    const newChunk = keysUnder(harness.emu).filter((key) => key.endsWith('.k') && key.startsWith(`${PREFIX}c.`) && !oldKeys.some(([old]) => old === key))
    harness.emu.wx.removeStorageSync(newChunk[1])
    const lonelyChunk = keysUnder(harness.emu).find((key) => key.endsWith('.lonely') && key.startsWith(`${PREFIX}c.`))
    harness.emu.wx.removeStorageSync(lonelyChunk as string)
    harness.restart()
    const reopened = harness.open()
    expect(reopened.get('k')).toBe('old'.repeat(1000))
    expect(reopened.has('lonely')).toBe(false)
    expectTidy(reopened, harness.emu)
  })

  test('new writes after a repair use generations above every one seen, leftovers included', () => {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    store.put('a', 1)
    harness.emu.faults.killAtWrite(3)
    expect(() => store.put('b', 'x'.repeat(5000))).toThrow()
    harness.restart()
    const orphanGen = Math.max(...keysUnder(harness.emu).filter((key) => key.endsWith('.b')).map((key) => parseInt(key.slice(PREFIX.length).split('.')[1], 36)))
    expect(orphanGen).toBeGreaterThan(1)
    const reopened = harness.open()
    reopened.put('c', 2)
    const head = keysUnder(harness.emu).find((key) => key.endsWith('.c')) as string
    expect(parseInt(head.slice(PREFIX.length).split('.')[1], 36)).toBeGreaterThan(orphanGen)
  })
})

describe('corrupted values', () => {
  function tampered(change: (emu: ReturnType<typeof createHarness>['emu'], keyOf: (user: string, kind: 'h' | 'c') => string[]) => void): DurableStore {
    const harness = createHarness({}, { chunkBytes: KIB })
    const store = harness.open()
    store.put('inline', { a: 1 })
    store.put('chunked', 'c'.repeat(3000))
    store.put('fine', 'still fine')
    const keyOf = (user: string, kind: 'h' | 'c'): string[] => keysUnder(harness.emu).filter((key) => key.endsWith(`.${user}`) && key.startsWith(`${PREFIX}${kind}.`))
    change(harness.emu, keyOf)
    return store
  }

  test.each<[string, string, (emu: ReturnType<typeof createHarness>['emu'], keyOf: (user: string, kind: 'h' | 'c') => string[]) => void]>([
    ['an inline value of another size', 'inline', (emu, keyOf) => emu.wx.setStorageSync(keyOf('inline', 'h')[0], { a: 12345 })],
    ['a deleted inline head', 'inline', (emu, keyOf) => emu.wx.removeStorageSync(keyOf('inline', 'h')[0])],
    ['a chunk replaced by other text', 'chunked', (emu, keyOf) => emu.wx.setStorageSync(keyOf('chunked', 'c')[0], 'short')],
    ['a chunk replaced by a number', 'chunked', (emu, keyOf) => emu.wx.setStorageSync(keyOf('chunked', 'c')[1], 7)],
    ['a deleted chunk', 'chunked', (emu, keyOf) => emu.wx.removeStorageSync(keyOf('chunked', 'c')[2])],
    ['a head that is not a manifest', 'chunked', (emu, keyOf) => emu.wx.setStorageSync(keyOf('chunked', 'h')[0], 'c'.repeat(3000))],
    ['a manifest with another length', 'chunked', (emu, keyOf) => emu.wx.setStorageSync(keyOf('chunked', 'h')[0], { chunks: 3, length: 2999 })],
    ['same-size chunk text that is not JSON', 'chunked', (emu, keyOf) => {
      const key = keyOf('chunked', 'c')[0]
      const text = emu.wx.getStorageSync(key) as string
      emu.wx.setStorageSync(key, `x${text.slice(1)}`)
    }],
  ])('%s: get throws StoreCorruptedError for that key only', (_name, key, change) => {
    const store = tampered(change)
    expect(() => store.get(key)).toThrow(StoreCorruptedError)
    expect(() => store.get(key)).toThrow(new RegExp(`"${key}" is unreadable`))
    expect(store.get('fine')).toBe('still fine')
    // The key can still be overwritten or removed.
    store.put(key, 'repaired')
    expect(store.get(key)).toBe('repaired')
  })
})

describe('one store per namespace', () => {
  test('a second open of the same namespace on the same storage is refused until close()', () => {
    const harness = createHarness()
    const first = harness.open()
    expect(() => harness.open()).toThrow(InUseError)
    const other = DurableStore.open(harness.storage, { namespace: 'other' })
    other.close()
    first.close()
    first.close() // idempotent
    const second = harness.open()
    expect(second.usage().keys).toBe(0)
  })

  test('a closed store refuses every call', () => {
    const { open } = createHarness()
    const store = open()
    store.put('k', 1)
    store.close()
    for (const call of [() => store.get('k'), () => store.put('k', 2), () => store.remove('k'), () => store.keys(), () => store.usage(), () => store.has('k'), () => store.clear(), () => store.bytesOf('k')]) {
      expect(call).toThrow(/closed/)
    }
  })

  test('a new storage adapter after a restart is a new owner', () => {
    const harness = createHarness()
    harness.open()
    harness.restart()
    expect(() => harness.open()).not.toThrow()
  })
})

describe('argument validation', () => {
  const storageOf = (): PlatformStorage => createHarness().storage

  test.each<[string, unknown]>([
    ['an empty namespace', { namespace: '' }],
    ['a namespace with /', { namespace: 'a/b' }],
    ['a namespace with a newline', { namespace: 'a\nb' }],
    ['a namespace that is not a string', { namespace: 7 }],
    ['a namespace of 129 characters', { namespace: 'n'.repeat(129) }],
    ['no options', undefined],
    ['chunkBytes below 1 KiB', { namespace: 'n', chunkBytes: 1023 }],
    ['chunkBytes above 900 KiB', { namespace: 'n', chunkBytes: 900 * 1024 + 1 }],
    ['a fractional chunkBytes', { namespace: 'n', chunkBytes: 2048.5 }],
    ['a string chunkBytes', { namespace: 'n', chunkBytes: '2048' }],
    ['maxBytes 0', { namespace: 'n', maxBytes: 0 }],
    ['maxBytes NaN', { namespace: 'n', maxBytes: NaN }],
  ])('open refuses %s with InvalidArgumentError', (_name, options) => {
    expect(() => DurableStore.open(storageOf(), options as DurableStoreOptions)).toThrow(InvalidArgumentError)
  })

  test('open refuses something that is not a PlatformStorage', () => {
    expect(() => DurableStore.open({} as PlatformStorage, { namespace: 'n' })).toThrow(InvalidArgumentError)
  })

  test('a namespace of 128 characters and the chunk size limits are accepted', () => {
    expect(() => DurableStore.open(storageOf(), { namespace: 'n'.repeat(128), chunkBytes: 1024 })).not.toThrow()
    expect(() => DurableStore.open(storageOf(), { namespace: 'sales:42', chunkBytes: 900 * 1024 })).not.toThrow()
  })

  test.each<[string, unknown]>([
    ['an empty key', ''],
    ['a number', 42],
    ['null', null],
    ['a key of 257 characters', 'k'.repeat(257)],
    ['a key with a control character', 'a\u0000b'],
    ['a key with a lone surrogate', 'a\ud800'],
  ])('every method refuses %s with InvalidArgumentError, writing nothing', (_name, key) => {
    const { emu, open } = createHarness()
    const store = open()
    const writes = emu.faults.writes
    const k = key as string
    for (const call of [() => store.put(k, 1), () => store.get(k), () => store.has(k), () => store.remove(k), () => store.bytesOf(k)]) {
      expect(call).toThrow(InvalidArgumentError)
    }
    expect(emu.faults.writes).toBe(writes)
  })

  test('keys of 256 characters, with dots, slashes, Chinese and emoji, are accepted', () => {
    const harness = createHarness()
    const store = harness.open()
    const keys = ['k'.repeat(256), 'a.b.c', 'h.1.0.zz.x', '/lead/slash', '客户.😀']
    for (const key of keys) store.put(key, key)
    harness.restart()
    const reopened = harness.open()
    expect(reopened.keys()).toEqual([...keys].sort())
    for (const key of keys) expect(reopened.get(key)).toBe(key)
  })

  test('keys(prefix) refuses a prefix that is not a string', () => {
    const store = createHarness().open()
    expect(() => store.keys(5 as unknown as string)).toThrow(InvalidArgumentError)
  })
})
