/**
 * Crash safety of the re-measure path: after the host app removed some of
 * the store's keys, a write that needs the room (re-measure, format record,
 * leftovers, then the put) and a `checkIntact()` are killed, or see an
 * exception, at every single write. Each time, what survived the host stays
 * whole, the new value is all there or not at all, and a reopened store is
 * tidy with exact usage.
 */
import type { DurableStore } from '../../sdk/store'
import { META_KEY, PREFIX, attempt, createHarness, expectTidy, keysUnder, mixedText, type Harness } from './store-harness'

const KIB = 1024
const LOST = mixedText(3 * KIB, 5) // chunked: the host removes one of its chunks
const KEPT = { customer: '王五', notes: 'n'.repeat(2000) }
const BYSTANDER = { untouched: '旁观者 😀' }
const NEW = mixedText(3 * KIB, 6)

function prepare(): { h: Harness; store: DurableStore } {
  const h = createHarness({}, { chunkBytes: KIB, maxBytes: 9 * KIB })
  const store = h.open()
  store.put('lost', LOST)
  store.put('kept', KEPT)
  store.put('bystander', BYSTANDER)
  const chunk = keysUnder(h.emu).find((key) => key.startsWith(`${PREFIX}c.`) && key.endsWith('.lost')) as string
  h.emu.wx.removeStorageSync(chunk)
  h.emu.wx.removeStorageSync(META_KEY)
  return { h, store }
}

interface Action {
  name: string
  run(store: DurableStore): void
  /** What the key 'new' may hold after a crash at any write. */
  newValues: unknown[]
}

const actions: Action[] = [
  { name: 'a put that only fits once the lost bytes are measured', run: (store) => store.put('new', NEW), newValues: [undefined, NEW] },
  { name: 'checkIntact()', run: (store) => void store.checkIntact(), newValues: [undefined] },
]

function writesOf(action: Action): number {
  const { h, store } = prepare()
  const before = h.emu.faults.writes
  action.run(store)
  return h.emu.faults.writes - before
}

function expectSurvivors(store: DurableStore, action: Action): void {
  expect(store.get('kept')).toEqual(KEPT)
  expect(store.get('bystander')).toEqual(BYSTANDER)
  expect(store.has('lost')).toBe(false)
  expect(action.newValues).toContainEqual(store.get('new'))
}

describe.each(actions)('$name', (action) => {
  const writes = writesOf(action)

  test('writes: the format record, the lost value\'s leftovers, then its own', () => {
    const { h, store } = prepare()
    const start = h.emu.faults.history.length
    action.run(store)
    const log = h.emu.faults.history.slice(start)
    expect(log[0]).toEqual(expect.objectContaining({ api: 'setStorageSync', target: META_KEY }))
    expect(log.slice(1).filter((write) => write.target.endsWith('.lost')).every((write) => write.api === 'removeStorageSync')).toBe(true)
    expect(writes).toBeGreaterThanOrEqual(3)
    expectTidy(store, h.emu)
    expectSurvivors(store, action)
  })

  test.each(Array.from({ length: writes }, (_, i) => i + 1))('killed at write %i: reopened whole and tidy', (k) => {
    const { h, store } = prepare()
    h.emu.faults.killAtWrite(k)
    // A dying app runs no further code; whatever the call threw (or not) is nobody's to see.
    attempt(() => action.run(store))
    expect(h.emu.faults.killed).toBe(true)
    h.restart()
    const reopened = h.open()
    expectSurvivors(reopened, action)
    expectTidy(reopened, h.emu)
  })

  test.each(Array.from({ length: writes }, (_, i) => i + 1))('exception at write %i: the store stays consistent and exact', (k) => {
    const { h, store } = prepare()
    h.emu.faults.throwAtWrite(k)
    try {
      action.run(store)
    } catch {
      // A failure before the put's commit is the put's failure; the store must still be consistent.
    }
    expectSurvivors(store, action)
    store.put('later', 1) // the next write tidies what the failure left
    expectTidy(store, h.emu)
    store.close()
    h.restart()
    const reopened = h.open()
    expectSurvivors(reopened, action)
    expectTidy(reopened, h.emu)
  })
})
