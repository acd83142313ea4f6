import { UnserializableError } from '../../sdk/errors'
import { createHarness, snapshot } from './store-harness'

class Visit {
  constructor(readonly id: number) {}
}

function circular(): unknown {
  const node: { name: string; self?: unknown } = { name: 'loop' }
  node.self = node
  return { root: node }
}

const refused: Array<[string, unknown, string, RegExp]> = [
  ['undefined at the top', undefined, 'value', /remove\(\)/],
  ['a function', { onDone: () => 1 }, 'value.onDone', /function/],
  ['a function in an array', [1, () => 2], 'value[1]', /function/],
  ['a symbol', { tag: Symbol('x') }, 'value.tag', /symbol/],
  ['a BigInt', { total: BigInt(10) }, 'value.total', /BigInt/],
  ['a circular reference', circular(), 'value.root.self', /circular/],
  ['NaN', { items: [{ at: NaN }] }, 'value.items[0].at', /NaN/],
  ['Infinity', { n: Infinity }, 'value.n', /Infinity/],
  ['-Infinity', -Infinity, 'value', /Infinity/],
  ['a Date', { visit: { at: new Date(0) } }, 'value.visit.at', /getTime\(\)|toISOString\(\)/],
  ['a Map', { m: new Map([[1, 2]]) }, 'value.m', /Object\.fromEntries/],
  ['a Set', new Set([1]), 'value', /\[\.\.\.set\]/],
  ['an ArrayBuffer', { photo: new ArrayBuffer(4) }, 'value.photo', /binary/],
  ['a typed array', { photo: new Uint8Array(4) }, 'value.photo', /binary/],
  ['a class instance', { visit: new Visit(1) }, 'value.visit', /Visit/],
  ['a RegExp', /x/, 'value', /RegExp/],
  ['undefined in an array', [1, undefined], 'value[1]', /null/],
  ['an array hole', [1, , 3], 'value[1]', /hole/], // eslint-disable-line no-sparse-arrays
  ['a boxed string', { s: Object('x') }, 'value.s', /String/],
  ['symbol-keyed properties', { [Symbol('k')]: 1 }, 'value', /symbol/],
  ['a property name needing quotes', { 'a b': { 'c.d': () => 0 } }, 'value["a b"]["c.d"]', /function/],
]

describe('values JSON would not bring back unchanged', () => {
  test.each(refused)('%s is refused with its path, before any write', (_name, value, path, message) => {
    const { emu, open } = createHarness()
    const store = open()
    store.put('k', 'previous')
    const before = snapshot(emu)
    const writes = emu.faults.writes
    let error: unknown
    try {
      store.put('k', value)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UnserializableError)
    expect((error as UnserializableError).code).toBe('UNSERIALIZABLE')
    expect((error as UnserializableError).path).toBe(path)
    expect((error as Error).message).toMatch(message)
    expect(emu.faults.writes).toBe(writes)
    expect(snapshot(emu)).toEqual(before)
    expect(store.get('k')).toBe('previous')
  })

  test('very deep nesting is refused rather than overflowing the stack', () => {
    const { emu, open } = createHarness()
    const store = open()
    let deep: unknown = 0
    for (let i = 0; i < 100000; i++) deep = [deep]
    const writes = emu.faults.writes
    expect(() => store.put('deep', deep)).toThrow(UnserializableError)
    expect(emu.faults.writes).toBe(writes)
  })
})

describe('values that are stored faithfully', () => {
  const accepted: Array<[string, unknown]> = [
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['the same object twice (not a cycle)', (() => {
      const shared = { s: 1 }
      return { a: shared, b: [shared, shared] }
    })()],
    ['a lone surrogate in a string', { s: 'a\ud800b' }],
    ['unicode line separators', 'a\u2028b\u2029c'],
    ['big and tiny numbers', [Number.MAX_VALUE, Number.MIN_VALUE, -1e-7, 1e21]],
    ['a "__proto__" own key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
  ]

  test.each(accepted)('%s round-trips', (_name, value) => {
    const harness = createHarness()
    const store = harness.open()
    store.put('k', value)
    harness.restart()
    expect(harness.open().get('k')).toEqual(JSON.parse(JSON.stringify(value)))
  })
})
