/**
 * Property: for random JSON values and a random failure (a kill or an
 * exception) at a random write of an overwrite or a remove, the key then
 * holds the old value or the new one, exactly, and storage holds nothing else.
 */
import fc from 'fast-check'
import type { DurableStore } from '../../sdk/store'
import { attempt, bytesUnder, createHarness, expectTidy, viaJson } from './store-harness'

const bigString = fc.string({ unit: 'binary', minLength: 600, maxLength: 2500 })
/** Small values stay inline, bigger ones span several 1 KiB chunks. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ text: bigString, data: fc.jsonValue({ maxDepth: 2 }) }),
  fc.array(bigString, { minLength: 1, maxLength: 3 }),
)

type Action = { kind: 'put'; value: unknown } | { kind: 'remove' }
const anyAction = fc.oneof(
  { arbitrary: anyValue.map((value): Action => ({ kind: 'put', value })), weight: 4 },
  { arbitrary: fc.constant<Action>({ kind: 'remove' }), weight: 1 },
)

function run(store: DurableStore, action: Action): void {
  if (action.kind === 'put') store.put('k', action.value)
  else store.remove('k')
}

function writesOf(before: unknown, action: Action): number {
  const { emu, open } = createHarness({}, { chunkBytes: 1024 })
  const store = open()
  if (before !== undefined) store.put('k', before)
  const start = emu.faults.writes
  run(store, action)
  return emu.faults.writes - start
}

test('a kill or an exception at any write leaves the old value or the new one', () => {
  fc.assert(
    fc.property(
      fc.option(anyValue, { nil: undefined }),
      anyAction,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.boolean(),
      (before, action, where, kill) => {
        const total = writesOf(before, action)
        fc.pre(total > 0)
        const at = 1 + Math.min(total - 1, Math.floor(where * total))
        const harness = createHarness({}, { chunkBytes: 1024 })
        const store = harness.open()
        if (before !== undefined) store.put('k', before)
        const oldValue = before === undefined ? undefined : viaJson(before)
        const newValue = action.kind === 'put' ? viaJson(action.value) : undefined
        if (kill) harness.emu.faults.killAtWrite(at)
        else harness.emu.faults.throwAtWrite(at)
        attempt(() => run(store, action))
        if (kill) {
          harness.restart()
          const reopened = harness.open()
          expect([oldValue, newValue]).toContainEqual(reopened.get('k'))
          expectTidy(reopened, harness.emu)
        } else {
          expect([oldValue, newValue]).toContainEqual(store.get('k'))
          expect(store.usage().bytes).toBe(bytesUnder(harness.emu))
          store.put('k', 'after')
          expectTidy(store, harness.emu)
        }
      },
    ),
    { numRuns: 100 },
  )
})
