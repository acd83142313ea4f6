import { InUseError, InvalidArgumentError, QuotaExceededError } from '../errors'
import type { PlatformStorage } from '../platform/platform'
import { toJsonText } from './json-value'
import { claimNamespace, releaseNamespace } from './open-stores'
import { isPlatformQuotaError, platformQuotaError } from './platform-quota'
import { metaKey, storagePrefix, type SizedKey } from './record-keys'
import { listStorage } from './storage-listing'
import { metaRecordBytes, readMeta, writeMeta } from './store-format'
import { assertUserKey, defaultMaxBytes, resolveStoreOptions, type DurableStoreOptions } from './store-options'
import { removeGarbage, scanStorageKeys, type StoreScan } from './store-repair'
import { planRecord, readRecord, type RecordPlan, type StoredRecord } from './stored-record'

/** What {@link DurableStore.usage} reports. */
export interface StoreUsage {
  /** UTF-8 bytes the store occupies: key names plus JSON values, leftovers awaiting deletion included. */
  bytes: number
  /** The budget the store was opened with. */
  maxBytes: number
  /** How many keys hold a value. */
  keys: number
}

/** What {@link DurableStore.checkIntact} reports. */
export interface StoreIntegrity {
  /**
   * User keys whose values vanished from storage behind the store's back
   * (the host app called `wx.clearStorageSync()` or removed the SDK's keys),
   * since the store was opened or last checked; sorted. They are gone for
   * good: the store has forgotten them, and their bytes no longer count.
   */
  lostKeys: string[]
  /** True when the store listed storage again (its format record was gone, or a write needed room). */
  remeasured: boolean
}

/**
 * A durable key-value store over WeChat / uni-app sync storage, under a
 * namespace.
 *
 * - Any JSON value, of any size up to the budget: big values are split into
 *   chunks well under the runtime's 1 MB per key.
 * - A crash or an exception at any single storage write leaves the old value
 *   or the new one fully readable, never a mix: new keys are written first,
 *   then one head write commits, then the old keys are removed.
 * - Opening repairs what a crash left, from key names alone (it reads no
 *   value), so opening 10,000 values costs one `getStorageInfoSync`, and
 *   {@link DurableStore.openAll} opens several stores from one.
 * - Storage wiped behind its back (`wx.clearStorageSync()`) is noticed by
 *   {@link DurableStore.checkIntact}, and a write is never refused for
 *   bytes that are no longer there.
 * - A put costs its own bytes: a small value is one `setStorageSync`, and no
 *   shared index is rewritten, however many keys the store holds.
 * - Values JSON would change (Date, Map, NaN, functions, cycles...) are
 *   refused with an {@link UnserializableError} before anything is written;
 *   a value over the budget, or a full device, gives a
 *   {@link QuotaExceededError} and loses nothing already stored.
 *
 * Everything is synchronous, like the storage it sits on.
 *
 * @example
 * ```ts
 * import { DurableStore } from 'miniprogram-offline'
 *
 * const store = DurableStore.open(platform.storage, { namespace: `drafts:${userId}` })
 * store.put('visit/42', { customer: '张三', notes, photos: ['wxfile://usr/a.jpg'] })
 * const visit = store.get<Visit>('visit/42')
 * for (const key of store.keys('visit/')) console.log(key, store.bytesOf(key))
 * store.remove('visit/42')
 * store.close()
 * ```
 */
export class DurableStore {
  /** The namespace given to {@link DurableStore.open}. */
  readonly namespace: string
  /** The budget, in UTF-8 bytes. */
  readonly maxBytes: number

  private readonly storage: PlatformStorage
  private readonly prefix: string
  private readonly chunkBytes: number
  private readonly records: Map<string, StoredRecord>
  /** Keys known to exist that no longer hold a value, with their sizes; removed when storage lets us. */
  private readonly garbage = new Map<string, number>()
  /** Everything in `records` and `garbage`, plus the meta record. */
  private usedBytes: number
  private nextGen: number
  private closed = false
  /** Bytes of the format record; 0 while it is missing (wiped, and not yet rewritten). */
  private metaBytes: number
  private foreign: readonly string[]
  /** Keys found lost by a re-measure that {@link checkIntact} has not reported yet. */
  private readonly unreportedLoss = new Set<string>()

  /**
   * Opens the store of `options.namespace`, creating it on first use and
   * repairing what a crash left.
   *
   * @throws {@link InvalidArgumentError} for a bad namespace or option.
   * @throws {@link InUseError} when the namespace is already open on this storage.
   * @throws {@link FutureFormatError} when a newer SDK wrote the store (nothing is touched).
   * @throws {@link StoreCorruptedError} when the format record is not readable.
   */
  static open(storage: PlatformStorage, options: DurableStoreOptions): DurableStore {
    const { namespace, maxBytes, chunkBytes, listing } = resolveStoreOptions(storage, options)
    if (!claimNamespace(storage, namespace)) throw new InUseError(`the store "${namespace}" is already open; close() it first`)
    try {
      const prefix = storagePrefix(namespace)
      const { keys, limitSizeKB } = listing ?? listStorage(storage)
      const scan = scanStorageKeys(keys, prefix)
      // Checked before any write: a store from a newer release is left exactly as it is.
      const existingMeta = scan.hasMeta ? readMeta(storage, prefix) : undefined
      removeGarbage(storage, scan.garbage)
      const meta = existingMeta ?? writeMetaIfRoom(storage, prefix)
      const config = { namespace, maxBytes: maxBytes ?? defaultMaxBytes(limitSizeKB), chunkBytes, prefix }
      return new DurableStore(storage, config, scan, meta)
    } catch (error) {
      // A failed open leaves the namespace free for the next attempt.
      releaseNamespace(storage, namespace)
      throw error
    }
  }

  /**
   * Opens several stores from one listing of storage (one
   * `getStorageInfoSync`, which on a phone lists every key of the app),
   * as a client opening its outbox and its read cache together does. Every
   * option is checked before storage is touched; if one store fails to
   * open, the ones already opened are closed again and the error is thrown.
   *
   * @returns the stores, in the order of `options`.
   * @throws what {@link DurableStore.open} throws.
   */
  static openAll(storage: PlatformStorage, options: readonly DurableStoreOptions[]): DurableStore[] {
    if (!Array.isArray(options)) throw new InvalidArgumentError('DurableStore.openAll needs an array of store options')
    for (const each of options) resolveStoreOptions(storage, each)
    const listing = listStorage(storage)
    const opened: DurableStore[] = []
    try {
      for (const each of options) opened.push(DurableStore.open(storage, { ...each, listing }))
    } catch (error) {
      for (const store of opened) store.close()
      throw error
    }
    return opened
  }

  private constructor(
    storage: PlatformStorage,
    config: { namespace: string; maxBytes: number; chunkBytes: number; prefix: string },
    scan: StoreScan,
    meta: SizedKey,
  ) {
    this.storage = storage
    this.namespace = config.namespace
    this.maxBytes = config.maxBytes
    this.chunkBytes = config.chunkBytes
    this.prefix = config.prefix
    this.records = scan.records
    this.foreign = Object.freeze([...scan.foreignKeys])
    this.nextGen = scan.maxGen + 1
    this.metaBytes = meta.bytes
    this.usedBytes = meta.bytes + sumBytes(scan.records.values())
  }

  /**
   * Keys under this store's prefix that it did not write, found at open (or
   * at the last re-measure). They are never read, changed or counted;
   * listed for diagnostics.
   */
  get foreignKeys(): readonly string[] {
    return this.foreign
  }

  /**
   * The value stored under `key`, or `undefined`. Each call reads storage
   * and returns a fresh copy. `T` is not checked: it is what you put.
   *
   * @throws {@link StoreCorruptedError} when this key's stored data is not
   * what the store wrote (other keys are unaffected).
   */
  get<T = unknown>(key: string): T | undefined {
    this.assertOpen()
    assertUserKey(key)
    const record = this.records.get(key)
    return record ? (readRecord(this.storage, record) as T) : undefined
  }

  /** Whether `key` holds a value. Reads no storage. */
  has(key: string): boolean {
    this.assertOpen()
    assertUserKey(key)
    return this.records.has(key)
  }

  /**
   * Stores `value` under `key`, replacing any previous value. When it
   * returns, the value is in storage; when it throws, the previous value is
   * still there, whole.
   *
   * Writes: one `setStorageSync` for a value whose JSON fits in
   * `chunkBytes` (plus one removal when it replaces a value), or one per
   * chunk plus the head for a bigger one.
   *
   * `options.replacing` names a key the caller removes right after (moving a
   * value to a new key, as the outbox does when an entry changes state): its
   * bytes count as freed for the budget, so a move never fails for lack of
   * room the value already had.
   *
   * A value that does not fit the budget as counted makes the store list
   * storage again first (its keys may have been wiped behind its back), and
   * is refused only if it still does not fit.
   *
   * @throws {@link InvalidArgumentError} for a bad key.
   * @throws {@link UnserializableError} for a value JSON would not bring back unchanged; nothing is written.
   * @throws {@link QuotaExceededError} when the value does not fit the budget or the device is full.
   */
  put(key: string, value: unknown, options: { replacing?: string } = {}): void {
    this.assertOpen()
    assertUserKey(key)
    const text = toJsonText(value)
    let plan = planRecord(this.prefix, key, this.nextGen, value, text, this.chunkBytes)
    if (!this.fits(plan.record.bytes, key, options.replacing)) {
      // What the store counts may no longer be in storage (the host app cleared it): measure once more before refusing.
      if (this.tryRemeasure()) plan = planRecord(this.prefix, key, this.nextGen, value, text, this.chunkBytes)
      if (!this.fits(plan.record.bytes, key, options.replacing)) throw this.budgetError(key, plan.record.bytes, options.replacing)
    }
    const previous = this.records.get(key)
    this.nextGen += 1
    this.writeRecord(plan)
    // The head is written: the new value is committed, whatever happens next.
    this.records.set(key, plan.record)
    this.usedBytes += plan.record.bytes
    if (previous) this.retire([previous.head, ...previous.chunks])
    this.collectGarbage()
  }

  /**
   * Deletes `key`'s value; nothing happens when there is none. Removing
   * the head is the commit point; its chunks follow.
   */
  remove(key: string): void {
    this.assertOpen()
    assertUserKey(key)
    const record = this.records.get(key)
    if (!record) return
    // If this throws, nothing changed: the value is still whole.
    this.storage.remove(record.head.storageKey)
    this.records.delete(key)
    this.usedBytes -= record.head.bytes
    this.retire(record.chunks)
    this.collectGarbage()
  }

  /** Removes every value of the namespace (the format record stays). */
  clear(): void {
    this.assertOpen()
    for (const key of [...this.records.keys()]) this.remove(key)
    this.collectGarbage()
  }

  /**
   * The keys holding a value, sorted by UTF-16 code units, optionally only
   * those starting with `prefix`. Reads no storage. `order: 'any'` skips the
   * sort, for a caller that orders them its own way (the outbox, by seq).
   */
  keys(prefix = '', order: 'sorted' | 'any' = 'sorted'): string[] {
    this.assertOpen()
    if (typeof prefix !== 'string') throw new InvalidArgumentError(`prefix must be a string, got ${typeof prefix}`)
    const keys: string[] = []
    for (const key of this.records.keys()) if (key.startsWith(prefix)) keys.push(key)
    return order === 'sorted' ? keys.sort() : keys
  }

  /** Bytes used, the budget, and the number of keys. Reads no storage. */
  usage(): StoreUsage {
    this.assertOpen()
    return { bytes: this.usedBytes, maxBytes: this.maxBytes, keys: this.records.size }
  }

  /** UTF-8 bytes `key`'s value occupies (names plus JSON, chunks included), or `undefined` when absent. */
  bytesOf(key: string): number | undefined {
    this.assertOpen()
    assertUserKey(key)
    return this.records.get(key)?.bytes
  }

  /**
   * Notices storage wiped behind the store's back, e.g. by the host app's
   * `wx.clearStorageSync()`. Costs one `getStorageSync` of the format record
   * while it is there. When it is gone, lists storage again
   * (`getStorageInfoSync`), rebuilds the index and the usage from what is
   * really there, rewrites the format record, and reports the user keys
   * whose values were lost, as well as any a refused write's re-measure
   * found since the last check.
   *
   * Call it when control comes back to the app (app show, before a replay).
   * Writes only repair keys (the format record, leftovers): a crash during
   * it is repaired by the next open like any other.
   */
  checkIntact(): StoreIntegrity {
    this.assertOpen()
    const metaPresent = this.storage.get(metaKey(this.prefix)) !== undefined
    if (!metaPresent) this.remeasure()
    const lostKeys = [...this.unreportedLoss].sort()
    this.unreportedLoss.clear()
    return { lostKeys, remeasured: !metaPresent }
  }

  /** Releases the namespace so it can be opened again. Further calls on this instance throw. */
  close(): void {
    if (this.closed) return
    this.closed = true
    releaseNamespace(this.storage, this.namespace)
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError(`the store "${this.namespace}" is closed`)
  }

  /**
   * Whether a put of `newBytes` under `key` fits the budget. Only the end
   * state counts (the old value's bytes, and those of the key it is
   * `replacing`, are freed): during an overwrite both values exist for a
   * moment, and the device-wide limit catches that case if it matters. A put
   * that does not grow the store always fits, so a store over a lowered
   * budget can still shrink.
   */
  private fits(newBytes: number, key: string, replacing: string | undefined): boolean {
    const freed = this.freedBy(key, replacing)
    return newBytes <= freed || newBytes <= this.available(freed)
  }

  private freedBy(key: string, replacing: string | undefined): number {
    const replaced = replacing === undefined || replacing === key ? undefined : this.records.get(replacing)
    return (this.records.get(key)?.bytes ?? 0) + (replaced?.bytes ?? 0)
  }

  private available(freed: number): number {
    return Math.max(0, this.maxBytes - (this.usedBytes - freed))
  }

  private budgetError(key: string, newBytes: number, replacing: string | undefined): QuotaExceededError {
    const availableBytes = this.available(this.freedBy(key, replacing))
    return new QuotaExceededError(
      `"${key}" needs ${newBytes} bytes but the store "${this.namespace}" has ${availableBytes} of its ${this.maxBytes} bytes free; nothing was written`,
      newBytes,
      availableBytes,
    )
  }

  /** {@link remeasure}, where a failure to list storage only means "no better figure": false then. */
  private tryRemeasure(): boolean {
    try {
      this.remeasure()
      return true
    } catch {
      return false
    }
  }

  /**
   * Rebuilds the index, the leftovers and the usage from a fresh listing,
   * by the open-time rule, so the figures describe what storage holds now.
   * Values that vanished are forgotten and remembered for
   * {@link checkIntact}. The format record is rewritten if it is gone (a
   * failure there is retried by the next write), and leftovers are removed.
   */
  private remeasure(): void {
    const scan = scanStorageKeys(this.storage.info().keys, this.prefix)
    for (const key of this.records.keys()) if (!scan.records.has(key)) this.unreportedLoss.add(key)
    this.records.clear()
    for (const [key, record] of scan.records) this.records.set(key, record)
    this.garbage.clear()
    for (const { storageKey, bytes } of scan.garbage) this.garbage.set(storageKey, bytes)
    this.foreign = Object.freeze([...scan.foreignKeys])
    this.nextGen = Math.max(this.nextGen, scan.maxGen + 1)
    this.metaBytes = scan.hasMeta ? metaRecordBytes(this.prefix) : 0
    this.usedBytes = this.metaBytes + sumBytes(this.records.values()) + sumBytes(scan.garbage)
    // Writes the format record again first if it is gone, then removes leftovers.
    this.collectGarbage()
  }

  /** The format record's bytes once written again, or 0 when storage refused (the next check retries). */
  private rewriteMeta(): number {
    try {
      return writeMeta(this.storage, this.prefix).bytes
    } catch {
      return 0
    }
  }

  /**
   * Writes the chunks, then the head. On failure, removes what this put
   * wrote (the previous value was never touched) and rethrows, a full
   * device as a {@link QuotaExceededError}.
   */
  private writeRecord(plan: RecordPlan): void {
    const written: SizedKey[] = []
    try {
      for (const write of plan.writes) {
        this.storage.set(write.storageKey, write.value)
        written.push(write)
      }
    } catch (error) {
      for (const { storageKey, bytes } of written) this.removeOrRemember(storageKey, bytes)
      throw isPlatformQuotaError(error) ? platformQuotaError(this.storage, error, plan.record.bytes) : error
    }
  }

  /** Best-effort removal of a key this put wrote; one that stays is tracked so usage stays exact. */
  private removeOrRemember(storageKey: string, bytes: number): void {
    try {
      this.storage.remove(storageKey)
    } catch {
      this.garbage.set(storageKey, bytes)
      this.usedBytes += bytes
    }
  }

  /**
   * Queues keys that no longer hold a value for removal. Their bytes stay
   * counted until they are gone. A superseded head goes before its chunks,
   * so no head ever outlives one of its chunks.
   */
  private retire(keys: readonly SizedKey[]): void {
    for (const { storageKey, bytes } of keys) this.garbage.set(storageKey, bytes)
  }

  /**
   * Removes leftover keys, oldest first. The operation that produced them
   * already committed, so a failure here is not the caller's failure: the
   * keys stay listed (and counted) and the next write tries again.
   */
  private collectGarbage(): void {
    this.restoreMeta()
    for (const [storageKey, bytes] of this.garbage) {
      try {
        this.storage.remove(storageKey)
      } catch {
        return
      }
      this.garbage.delete(storageKey)
      this.usedBytes -= bytes
    }
  }

  /** A format record a re-measure could not write is written by the next write that succeeds. */
  private restoreMeta(): void {
    if (this.metaBytes !== 0) return
    this.metaBytes = this.rewriteMeta()
    this.usedBytes += this.metaBytes
  }
}

function sumBytes(items: Iterable<{ bytes: number }>): number {
  let bytes = 0
  for (const item of items) bytes += item.bytes
  return bytes
}

/**
 * The format record of a store opened for the first time. On a full device
 * the store opens without it (an app that creates its client at launch must
 * not crash because the host filled storage): its writes then meet the same
 * full device, and the first one that fits writes the record too.
 */
function writeMetaIfRoom(storage: PlatformStorage, prefix: string): SizedKey {
  try {
    return writeMeta(storage, prefix)
  } catch (error) {
    if (isPlatformQuotaError(error)) return { storageKey: '', bytes: 0 }
    throw error
  }
}
