/**
 * The default budget follows the runtime's limit (60%, at most 6 MiB), so
 * the store's typed refusal comes before the runtime's; and several stores
 * open from one listing of storage.
 */
import { InUseError, InvalidArgumentError, QuotaExceededError } from '../../sdk/errors'
import type { PlatformStorage } from '../../sdk/platform/platform'
import { DEFAULT_BUDGET_SHARE, DEFAULT_MAX_BYTES, DurableStore, defaultMaxBytes, listStorage } from '../../sdk/store'
import { attempt, createHarness, expectTidy } from './store-harness'

const KIB = 1024
const MIB = 1024 * KIB

/** The real adapter, with `info()` counted and its `limitSizeKB` optionally replaced. */
function instrumented(storage: PlatformStorage, limitSizeKB?: number): { storage: PlatformStorage; infoCalls: () => number; writes: () => number } {
  let infoCalls = 0
  let writes = 0
  return {
    infoCalls: () => infoCalls,
    writes: () => writes,
    storage: {
      get: (key) => storage.get(key),
      set: (key, value) => (writes++, storage.set(key, value)),
      remove: (key) => (writes++, storage.remove(key)),
      info: () => {
        infoCalls += 1
        const info = storage.info()
        return limitSizeKB === undefined ? info : { ...info, limitSizeKB }
      },
    },
  }
}

describe('the default budget comes from the runtime', () => {
  test('min(6 MiB, 60% of limitSize)', () => {
    expect(DEFAULT_BUDGET_SHARE).toBe(0.6)
    expect(defaultMaxBytes(10 * 1024)).toBe(6 * MIB) // WeChat: 10 MB
    expect(defaultMaxBytes(5 * 1024)).toBe(Math.floor(5 * MIB * 0.6)) // uni-app H5's localStorage, as its adapter reports it
    expect(defaultMaxBytes(1024 * 1024)).toBe(DEFAULT_MAX_BYTES) // a roomy runtime: capped
    for (const unknown of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, undefined]) expect(defaultMaxBytes(unknown)).toBe(DEFAULT_MAX_BYTES)
  })

  test('a store on WeChat gets 6 MiB; on a 5 MB runtime, 3 MiB', () => {
    expect(createHarness().open().maxBytes).toBe(6 * MIB)
    const small = createHarness({ maxTotalBytes: 5 * MIB })
    expect(small.open().usage().maxBytes).toBe(Math.floor(5 * MIB * 0.6))
  })

  test('an explicit maxBytes still wins, above or below the derived budget', () => {
    expect(createHarness({ maxTotalBytes: 5 * MIB }).open({ maxBytes: 8 * MIB }).maxBytes).toBe(8 * MIB)
    expect(createHarness().open({ maxBytes: 100 * KIB }).maxBytes).toBe(100 * KIB)
  })

  test('a runtime with no useful limit (uni-app H5 says Number.MAX_VALUE) gets the 6 MiB cap', () => {
    const h = createHarness()
    const store = DurableStore.open(instrumented(h.storage, Number.MAX_VALUE).storage, { namespace: 'h5' })
    expect(store.maxBytes).toBe(6 * MIB)
  })

  test('on a 5 MB runtime the typed QuotaExceededError comes before the runtime refuses', () => {
    const h = createHarness({ maxTotalBytes: 5 * MIB })
    const store = h.open()
    const value = 'v'.repeat(1000)
    let error: unknown
    for (let i = 0; i < 10_000 && error === undefined; i++) error = attempt(() => store.put(`visit/${i}`, value))
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect((error as QuotaExceededError).limit).toBe('budget')
    expect(store.usage().bytes).toBeLessThanOrEqual(store.maxBytes)
    expect(h.emu.storage.usedBytes).toBeLessThan(5 * MIB)
  })
})

describe('opening several stores from one listing', () => {
  test('openAll lists storage once for all of them, and each finds its own values', () => {
    const h = createHarness()
    const [outbox, cache] = DurableStore.openAll(h.storage, [{ namespace: 'sales' }, { namespace: 'sales~cache' }])
    outbox.put('entry', 1)
    cache.put('page', 2)
    outbox.close()
    cache.close()
    h.restart()
    const counted = instrumented(h.storage)
    const stores = DurableStore.openAll(counted.storage, [{ namespace: 'sales' }, { namespace: 'sales~cache' }])
    expect(counted.infoCalls()).toBe(1)
    expect(stores.map((store) => store.namespace)).toEqual(['sales', 'sales~cache'])
    expect(stores[0].get('entry')).toBe(1)
    expect(stores[0].keys()).toEqual(['entry'])
    expect(stores[1].get('page')).toBe(2)
    expect(stores[1].keys()).toEqual(['page'])
  })

  test('open with a listing makes no storage listing call of its own, and repairs from it', () => {
    const h = createHarness({}, { chunkBytes: KIB })
    const store = h.open()
    store.put('a', 'x'.repeat(3000))
    store.close()
    h.emu.wx.setStorageSync('mpo/test/c.99.0.99.orphan', 'leftover chunk') // a crash leftover: a chunk with no head
    h.restart()
    const counted = instrumented(h.storage)
    const listing = listStorage(counted.storage)
    const reopened = DurableStore.open(counted.storage, { namespace: 'test', chunkBytes: KIB, listing })
    expect(counted.infoCalls()).toBe(1) // the listing's own
    expect(reopened.get('a')).toBe('x'.repeat(3000))
    expect(h.emu.wx.getStorageSync('mpo/test/c.99.0.99.orphan')).toBe('')
    expectTidy(reopened, h.emu)
  })

  test('the budget derives from the listing\'s limit', () => {
    const h = createHarness()
    const store = DurableStore.open(h.storage, { namespace: 'test', listing: { keys: [], limitSizeKB: 2 * 1024 } })
    expect(store.maxBytes).toBe(Math.floor(2 * MIB * 0.6))
  })

  test('bad options anywhere in the list: InvalidArgumentError before storage is listed or written', () => {
    const h = createHarness()
    const counted = instrumented(h.storage)
    expect(attempt(() => DurableStore.openAll(counted.storage, [{ namespace: 'ok' }, { namespace: 'bad/ns' }]))).toBeInstanceOf(InvalidArgumentError)
    expect(attempt(() => DurableStore.openAll(counted.storage, 'nope' as never))).toBeInstanceOf(InvalidArgumentError)
    expect(attempt(() => DurableStore.open(counted.storage, { namespace: 'ok', listing: { keys: 'x' } as never }))).toBeInstanceOf(InvalidArgumentError)
    expect(attempt(() => DurableStore.open(counted.storage, { namespace: 'ok', listing: { keys: [] } as never }))).toBeInstanceOf(InvalidArgumentError)
    expect(counted.infoCalls()).toBe(0)
    expect(counted.writes()).toBe(0)
    // Nothing was left open.
    DurableStore.open(h.storage, { namespace: 'ok' }).close()
  })

  test('when one store fails to open, those already opened are closed again', () => {
    const h = createHarness()
    const held = DurableStore.open(h.storage, { namespace: 'sales~cache' })
    expect(attempt(() => DurableStore.openAll(h.storage, [{ namespace: 'sales' }, { namespace: 'sales~cache' }]))).toBeInstanceOf(InUseError)
    held.close()
    const [outbox] = DurableStore.openAll(h.storage, [{ namespace: 'sales' }, { namespace: 'sales~cache' }])
    expect(outbox.namespace).toBe('sales')
  })
})
