import { DurableStore } from '../../sdk/store'
import { META_KEY, PREFIX, createHarness, expectTidy, keysUnder, mixedText, storedBytes, viaJson } from './store-harness'

const KIB = 1024
const MIB = 1024 * KIB
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function bigObject(bytes: number): { rows: Array<{ id: number; name: string; tags: string[] }> } {
  const rows: Array<{ id: number; name: string; tags: string[] }> = []
  let size = 0
  for (let id = 0; size < bytes; id++) {
    const row = { id, name: `客户 ${id} "quoted" \\ 😀`, tags: ['a', 'b\n', '中文'] }
    rows.push(row)
    size += Buffer.byteLength(JSON.stringify(row), 'utf8')
  }
  return { rows }
}

/** Every chunk key's stored JSON, straight from wx storage. */
function storedChunks(harness: ReturnType<typeof createHarness>): Array<{ key: string; index: number; value: unknown; bytes: number }> {
  return keysUnder(harness.emu)
    .filter((key) => key.startsWith(`${PREFIX}c.`))
    .map((key) => {
      const value: unknown = harness.emu.wx.getStorageSync(key)
      const index = Number(key.slice(PREFIX.length).split('.')[2])
      return { key, index, value, bytes: Buffer.byteLength(JSON.stringify(value), 'utf8') }
    })
    .sort((a, b) => a.index - b.index)
}

describe('DurableStore round trips', () => {
  const values: Array<[string, unknown]> = [
    ['null', null],
    ['zero', 0],
    ['a negative float', -1.5],
    ['true', true],
    ['false', false],
    ['the empty string', ''],
    ['a one-character string', 'x'],
    ['an empty object', {}],
    ['an empty array', []],
    ['a nested record', { customer: '张三', visits: [{ at: 1700000000000, note: 'met 👍🏽' }], done: false, extra: null }],
    ['a 1 KB string', 'x'.repeat(1000)],
    ['a 600 KB object (two chunks)', bigObject(600 * KIB)],
    ['a 2 MB object', bigObject(2 * MIB)],
  ]

  test.each(values)('%s survives put, get and a restart', (_name, value) => {
    const harness = createHarness()
    const store = harness.open()
    store.put('k', value)
    expect(store.get('k')).toEqual(value)
    expectTidy(store, harness.emu)
    store.close()
    harness.restart()
    const reopened = harness.open()
    expect(reopened.get('k')).toEqual(value)
    expectTidy(reopened, harness.emu)
  })

  test('a 5 MB string fits the default 6 MiB budget, in chunks of at most 512 KiB', () => {
    const harness = createHarness()
    const store = harness.open()
    const value = '客户拜访记录😀 visit log '.repeat(Math.ceil((5 * 1000 * 1000) / 33)) // about 5 MB of UTF-8
    store.put('big', value)
    const chunks = storedChunks(harness)
    expect(chunks.length).toBeGreaterThanOrEqual(10)
    for (const chunk of chunks) expect(chunk.bytes).toBeLessThanOrEqual(512 * KIB)
    harness.restart()
    const reopened = harness.open()
    expect(reopened.get('big')).toBe(value)
    expectTidy(reopened, harness.emu)
  })

  test('JSON that exactly fills chunkBytes is inline; one byte more is chunked', () => {
    const harness = createHarness()
    const store = harness.open({ chunkBytes: KIB })
    store.put('fits', 'x'.repeat(KIB - 2)) // JSON "xx...x" is exactly 1024 bytes
    store.put('over', 'x'.repeat(KIB - 1))
    const keys = keysUnder(harness.emu)
    expect(keys.filter((key) => key.includes('.fits'))).toEqual([expect.stringMatching(/^mpo\/test\/h\.[0-9a-z]+\.0\./)])
    expect(keys.filter((key) => key.includes('.over'))).toHaveLength(3) // head + 2 chunks
    expect(store.get('fits')).toBe('x'.repeat(KIB - 2))
    expect(store.get('over')).toBe('x'.repeat(KIB - 1))
  })
})

describe('chunking of multi-byte text at chunk boundaries', () => {
  // The emulator's per-key limit is set to chunkBytes, so a single oversized chunk would throw.
  const chunkBytes = KIB
  const cases: Array<[string, string]> = []
  for (let pad = 0; pad < 4; pad++) cases.push([`emoji after ${pad} ASCII`, 'a'.repeat(pad) + '😀'.repeat(900)])
  for (let pad = 0; pad < 3; pad++) cases.push([`Chinese after ${pad} ASCII`, 'a'.repeat(pad) + '中文字'.repeat(400)])
  for (let pad = 0; pad < 6; pad++) cases.push([`escapes after ${pad} ASCII`, 'a'.repeat(pad) + '"\\\n\u0001😀中'.repeat(300)])
  for (let seed = 0; seed < 8; seed++) cases.push([`mixed text, seed ${seed}`, mixedText(20 * KIB, seed)])

  test.each(cases)('%s round-trips; every chunk is whole and within chunkBytes', (_name, text) => {
    const harness = createHarness({ maxItemBytes: chunkBytes })
    const store = harness.open({ chunkBytes })
    const value = { text, list: [text.slice(0, 500), text.slice(-700)] }
    store.put('text', value)
    const chunks = storedChunks(harness)
    expect(chunks.length).toBeGreaterThan(3)
    chunks.forEach((chunk, index) => {
      expect(typeof chunk.value).toBe('string')
      expect(chunk.bytes).toBeLessThanOrEqual(chunkBytes)
      expect(LONE_SURROGATE.test(chunk.value as string)).toBe(false)
      // Full chunks are not wasteful: only the widest escape (6 bytes) may be left unused.
      if (index < chunks.length - 1 && chunks.length > 1) expect(chunk.bytes).toBeGreaterThan(chunkBytes - 6 - 1)
    })
    harness.restart()
    expect(harness.open({ chunkBytes }).get('text')).toEqual(value)
  })
})

describe('DurableStore basics', () => {
  test('an inline put of a new key is exactly one storage write', () => {
    const { emu, open } = createHarness()
    const store = open()
    const before = emu.faults.writes
    store.put('order/1', { sku: 'A-1', qty: 2, note: '加急' })
    expect(emu.faults.writes - before).toBe(1)
  })

  test('an inline overwrite is two writes: the new head, then the old one removed', () => {
    const { emu, open } = createHarness()
    const store = open()
    store.put('k', 1)
    const before = emu.faults.history.length
    store.put('k', 2)
    const writes = emu.faults.history.slice(before).map((write) => write.api)
    expect(writes).toEqual(['setStorageSync', 'removeStorageSync'])
    expect(store.get('k')).toBe(2)
  })

  test('a chunked put writes its chunks first and its head last', () => {
    const { emu, open } = createHarness()
    const store = open({ chunkBytes: KIB })
    const before = emu.faults.history.length
    store.put('k', 'x'.repeat(3 * KIB))
    const targets = emu.faults.history.slice(before).map((write) => write.target.slice(PREFIX.length, PREFIX.length + 2))
    expect(targets).toEqual(['c.', 'c.', 'c.', 'c.', 'h.'])
  })

  test('removing an absent key writes nothing; removing a chunked value removes every key', () => {
    const { emu, open } = createHarness()
    const store = open({ chunkBytes: KIB })
    const before = emu.faults.writes
    store.remove('nothing')
    expect(emu.faults.writes).toBe(before)
    store.put('big', 'y'.repeat(5 * KIB))
    store.remove('big')
    expect(store.has('big')).toBe(false)
    expect(store.get('big')).toBeUndefined()
    expect(keysUnder(emu)).toEqual([META_KEY])
    expectTidy(store, emu)
  })

  test('keys() lists, filters by prefix and sorts without reading storage; has() and bytesOf() agree', () => {
    const harness = createHarness()
    const store = harness.open()
    for (const key of ['b/2', 'a/1', 'b/1', 'meta', 'c.d.e', '订单/1', '😀']) store.put(key, key)
    const reads = jest.spyOn(harness.emu.wx, 'getStorageSync')
    expect(store.keys()).toEqual(['a/1', 'b/1', 'b/2', 'c.d.e', 'meta', '订单/1', '😀'])
    expect(store.keys('b/')).toEqual(['b/1', 'b/2'])
    expect(store.has('a/1')).toBe(true)
    expect(store.has('a')).toBe(false)
    expect(store.usage()).toEqual({ bytes: expect.any(Number), maxBytes: 6 * MIB, keys: 7 })
    const bytesOfA = store.bytesOf('a/1')
    expect(store.bytesOf('absent')).toBeUndefined()
    expect(reads).not.toHaveBeenCalled()
    reads.mockRestore()
    const headOfA = keysUnder(harness.emu).find((key) => key.endsWith('.a/1'))
    expect(bytesOfA).toBe(storedBytes(harness.emu, headOfA as string))
    harness.restart()
    const reopened = harness.open()
    expect(reopened.keys()).toEqual(['a/1', 'b/1', 'b/2', 'c.d.e', 'meta', '订单/1', '😀'])
    for (const key of reopened.keys()) expect(reopened.get(key)).toBe(key)
    expectTidy(reopened, harness.emu)
  })

  test('bytesOf a chunked value is the sum of its head and chunks in storage', () => {
    const { emu, open } = createHarness()
    const store = open({ chunkBytes: KIB })
    store.put('big', mixedText(10 * KIB))
    const total = keysUnder(emu)
      .filter((key) => key.endsWith('.big'))
      .reduce((sum, key) => sum + storedBytes(emu, key), 0)
    expect(store.bytesOf('big')).toBe(total)
  })

  test('get returns a fresh copy: mutating it does not change what is stored', () => {
    const { open } = createHarness()
    const store = open()
    store.put('k', { list: [1, 2] })
    store.get<{ list: number[] }>('k')?.list.push(3)
    expect(store.get('k')).toEqual({ list: [1, 2] })
  })

  test('clear() removes every value and keeps the format record', () => {
    const { emu, open } = createHarness()
    const store = open({ chunkBytes: KIB })
    store.put('a', 1)
    store.put('b', 'z'.repeat(4 * KIB))
    store.clear()
    expect(store.keys()).toEqual([])
    expect(keysUnder(emu)).toEqual([META_KEY])
    expect(store.usage().bytes).toBe(storedBytes(emu, META_KEY))
  })

  test('undefined properties are dropped as JSON drops them; -0 comes back as 0', () => {
    const { open } = createHarness()
    const store = open()
    store.put('k', { a: 1, gone: undefined, zero: -0 })
    expect(store.get('k')).toEqual(viaJson({ a: 1, zero: 0 }))
    expect(Object.is(store.get<{ zero: number }>('k')?.zero, 0)).toBe(true)
  })

  test('two namespaces on one storage do not see each other', () => {
    const harness = createHarness()
    const a = DurableStore.open(harness.storage, { namespace: 'a' })
    const ab = DurableStore.open(harness.storage, { namespace: 'ab' })
    a.put('k', 'from a')
    ab.put('k', 'from ab')
    harness.restart()
    expect(DurableStore.open(harness.storage, { namespace: 'a' }).get('k')).toBe('from a')
    expect(DurableStore.open(harness.storage, { namespace: 'ab' }).get('k')).toBe('from ab')
  })
})
