/**
 * A crash or an exception at ANY single storage write leaves the old value
 * or the new one fully readable. Each scenario is first run once to count
 * its writes W and find its commit write C; then, for every k in 1..W, a
 * fresh app is killed (or sees an exception) at write k.
 */
import type { DurableStore } from '../../sdk/store'
import { PREFIX, attempt, bytesUnder, createHarness, expectTidy, keysUnder, mixedText, type Harness } from './store-harness'

const KIB = 1024
const CHUNK_BYTES = KIB
const KEY = 'visit/42'
const BYSTANDER = { key: 'other', value: { untouched: '旁观者 😀', list: [1, 2, 3] } }
const INJECTED = 'emulator: injected write failure'

interface Scenario {
  name: string
  /** The value before the action; `undefined` when the key is absent. */
  before: unknown
  /** The value after the action; `undefined` when it removes the key. */
  after: unknown
}

const bigA = mixedText(6 * KIB, 1) // about 10 chunks of 1 KiB
const bigB = { notes: mixedText(3 * KIB, 2), photos: ['wxfile://usr/a.jpg'], 数量: 3 } // fewer, different chunks
const scenarios: Scenario[] = [
  { name: 'multi-chunk overwrite, shrinking', before: bigA, after: bigB },
  { name: 'multi-chunk overwrite, growing', before: bigB, after: bigA },
  { name: 'inline overwrite', before: { v: 1 }, after: { v: 2, note: '第二版' } },
  { name: 'inline to chunked', before: 'small', after: bigA },
  { name: 'chunked to inline', before: bigA, after: 42 },
  { name: 'new chunked key', before: undefined, after: bigB },
  { name: 'new inline key', before: undefined, after: 'hello' },
  { name: 'remove of a multi-chunk value', before: bigA, after: undefined },
  { name: 'remove of an inline value', before: 'small', after: undefined },
]

function act(store: DurableStore, scenario: Scenario): void {
  if (scenario.after === undefined) store.remove(KEY)
  else store.put(KEY, scenario.after)
}

function prepare(): { harness: Harness; store: DurableStore } {
  const harness = createHarness({}, { chunkBytes: CHUNK_BYTES })
  const store = harness.open()
  store.put(BYSTANDER.key, BYSTANDER.value)
  return { harness, store }
}

function prepareScenario(scenario: Scenario): { harness: Harness; store: DurableStore } {
  const prepared = prepare()
  if (scenario.before !== undefined) prepared.store.put(KEY, scenario.before)
  return prepared
}

/** W (writes the action makes) and C (the 1-based index of its commit write). */
function measure(scenario: Scenario): { writes: number; commit: number } {
  const { harness, store } = prepareScenario(scenario)
  const start = harness.emu.faults.history.length
  act(store, scenario)
  const log = harness.emu.faults.history.slice(start)
  const isCommit =
    scenario.after === undefined
      ? (write: { api: string; target: string }) => write.api === 'removeStorageSync' && write.target.startsWith(`${PREFIX}h.`)
      : (write: { api: string; target: string }) => write.api === 'setStorageSync' && write.target.startsWith(`${PREFIX}h.`)
  return { writes: log.length, commit: log.findIndex(isCommit) + 1 }
}

function expectValue(store: DurableStore, expected: unknown): void {
  if (expected === undefined) {
    expect(store.has(KEY)).toBe(false)
    expect(store.get(KEY)).toBeUndefined()
  } else expect(store.get(KEY)).toEqual(expected)
  expect(store.get(BYSTANDER.key)).toEqual(BYSTANDER.value)
}

describe.each(scenarios)('$name', (scenario) => {
  const { writes, commit } = measure(scenario)

  test('the write plan is as designed: new keys, then one commit write, then cleanup', () => {
    expect(commit).toBeGreaterThan(0)
    if (scenario.after === undefined) expect(commit).toBe(1)
    if (scenario.after !== undefined && scenario.before === undefined) expect(commit).toBe(writes)
  })

  test.each(Array.from({ length: writes }, (_, i) => i + 1))('killed at write %i: old before the commit, new from it on, no leftovers', (k) => {
    const { harness, store } = prepareScenario(scenario)
    harness.emu.faults.killAtWrite(k)
    attempt(() => act(store, scenario))
    expect(harness.emu.faults.killed).toBe(true)
    harness.restart()
    const reopened = harness.open()
    expectValue(reopened, k <= commit ? scenario.before : scenario.after)
    expectTidy(reopened, harness.emu)
  })

  test.each(Array.from({ length: writes }, (_, i) => i + 1))('killed at write %i, then again at each write of the repair', (k) => {
    for (let j = 1; j <= 4; j++) {
      const { harness, store } = prepareScenario(scenario)
      harness.emu.faults.killAtWrite(k)
      attempt(() => act(store, scenario))
      harness.restart()
      harness.emu.faults.killAtWrite(j)
      attempt(() => harness.open())
      harness.restart()
      const reopened = harness.open()
      expectValue(reopened, k <= commit ? scenario.before : scenario.after)
      expectTidy(reopened, harness.emu)
    }
  })

  test.each(Array.from({ length: writes }, (_, i) => i + 1))('exception at write %i: the same store stays consistent and keeps working', (k) => {
    const { harness, store } = prepareScenario(scenario)
    harness.emu.faults.throwAtWrite(k)
    const error = attempt(() => act(store, scenario))
    if (k <= commit) {
      // Before the commit the caller hears about it, and nothing changed.
      expect(error).toEqual(new Error(INJECTED))
      expectValue(store, scenario.before)
    } else {
      // After the commit the operation has happened; a failed cleanup is retried later.
      expect(error).toBeUndefined()
      expectValue(store, scenario.after)
    }
    // The in-memory index never diverges from storage, even with leftovers pending.
    const visible = k <= commit ? scenario.before : scenario.after
    expect(store.keys()).toEqual(visible === undefined ? [BYSTANDER.key] : [BYSTANDER.key, KEY].sort())
    expect(store.usage().bytes).toBe(bytesUnder(harness.emu))
    // The same instance carries on, and its next write clears any leftovers.
    store.put(KEY, { third: true })
    expectValue(store, { third: true })
    expectTidy(store, harness.emu)
    store.close()
    harness.restart()
    const reopened = harness.open()
    expectValue(reopened, { third: true })
    expectTidy(reopened, harness.emu)
  })
})

test('leftovers of a failed cleanup stay counted until removed', () => {
  const { harness, store } = prepareScenario(scenarios[0])
  // Write plan: new chunks, new head (commit), old head, old chunks. Fail the removal of the old head.
  const { commit } = measure(scenarios[0])
  harness.emu.faults.throwAtWrite(commit + 1)
  store.put(KEY, scenarios[0].after)
  const leftovers = keysUnder(harness.emu).filter((key) => key.endsWith(`.${KEY}`))
  expect(leftovers.length).toBeGreaterThan(1 + Math.ceil(JSON.stringify(scenarios[0].after).length / CHUNK_BYTES))
  expect(store.usage().bytes).toBe(bytesUnder(harness.emu))
  store.put('unrelated', 1)
  expectTidy(store, harness.emu)
})

test('an exception while undoing a failed put leaves its chunk counted, and the next write removes it', () => {
  const { harness, store } = prepareScenario(scenarios[0])
  const before = keysUnder(harness.emu)
  // Write 3 (a new chunk) fails; the undo then removes chunk 1 fine and fails on chunk 2.
  harness.emu.faults.throwAtWrite(3)
  harness.emu.faults.throwAtWrite(5)
  expect(() => store.put(KEY, scenarios[0].after)).toThrow(INJECTED)
  expectValue(store, scenarios[0].before)
  expect(keysUnder(harness.emu).filter((key) => !before.includes(key))).toHaveLength(1)
  expect(store.usage().bytes).toBe(bytesUnder(harness.emu))
  store.put('unrelated', 1)
  expectTidy(store, harness.emu)
  expectValue(store, scenarios[0].before)
})
