import { InvalidArgumentError } from '../errors'
import type { PlatformStorage } from '../platform/platform'
import { namespaceProblem, userKeyProblem } from './record-keys'
import { listingProblem, type StorageListing } from './storage-listing'

const KIB = 1024
const MIB = 1024 * KIB

/**
 * The most the default budget ever is: 6 MiB, which is
 * {@link DEFAULT_BUDGET_SHARE} of WeChat's 10 MB, leaving about 4 MB to the
 * host app's own `setStorageSync` calls.
 */
export const DEFAULT_MAX_BYTES = 6 * MIB
/**
 * Share of the runtime's storage limit (`getStorageInfoSync().limitSize`)
 * the default budget takes, so the store's own `QuotaExceededError` comes
 * before the runtime's, e.g. on uni-app H5, whose localStorage holds about
 * 5 M characters.
 */
export const DEFAULT_BUDGET_SHARE = 0.6

/**
 * The default budget on a runtime reporting `limitSizeKB`:
 * min({@link DEFAULT_MAX_BYTES}, {@link DEFAULT_BUDGET_SHARE} of the limit).
 * A limit that is missing, zero, or not a finite number (a runtime that
 * says nothing useful) gives {@link DEFAULT_MAX_BYTES}.
 */
export function defaultMaxBytes(limitSizeKB: unknown): number {
  if (typeof limitSizeKB !== 'number' || !Number.isFinite(limitSizeKB) || limitSizeKB <= 0) return DEFAULT_MAX_BYTES
  return Math.max(1, Math.min(DEFAULT_MAX_BYTES, Math.floor(limitSizeKB * 1024 * DEFAULT_BUDGET_SHARE)))
}
/**
 * Default chunk size: half of WeChat's 1 MB per key, so a chunk also fits
 * encrypted storage's 0.7 MB (data grows 1.4x) with room to spare.
 */
export const DEFAULT_CHUNK_BYTES = 512 * KIB
/** Smallest chunk accepted: smaller would multiply writes for no gain. */
export const MIN_CHUNK_BYTES = KIB
/** Largest chunk accepted: stays under WeChat's 1 MB per key. */
export const MAX_CHUNK_BYTES = 900 * KIB

/** Options of {@link DurableStore.open}. */
export interface DurableStoreOptions {
  /**
   * Keeps this store's keys apart from other stores and from the host app:
   * every key is stored under `mpo/<namespace>/`. Up to 128 characters,
   * no `/` and no control characters, e.g. `sales:42`.
   */
  namespace: string
  /**
   * The most UTF-8 bytes (key names plus JSON values) the store may occupy.
   * Default: 60% of the runtime's storage limit, at most 6 MiB (6 MiB of
   * WeChat's 10 MB; 3 MiB of uni-app H5's 5 M characters). See
   * {@link defaultMaxBytes}.
   */
  maxBytes?: number
  /**
   * Values whose JSON is larger than this are split into chunks of at most
   * this many UTF-8 bytes each. 1 KiB to 900 KiB; default 512 KiB.
   */
  chunkBytes?: number
  /**
   * A listing of storage taken just before (`storage.info()`), so several
   * stores open from one `getStorageInfoSync` instead of one each. Take it
   * right before opening: keys written under this namespace after it was
   * taken would be missed. {@link DurableStore.openAll} does this for you.
   */
  listing?: StorageListing
}

/** Options checked, with the defaults that need no storage call applied. */
export interface ResolvedStoreOptions {
  namespace: string
  /** `undefined`: derive it from the runtime's limit ({@link defaultMaxBytes}). */
  maxBytes: number | undefined
  chunkBytes: number
  listing: StorageListing | undefined
}

/** @throws {@link InvalidArgumentError} for a bad storage object or option. */
export function resolveStoreOptions(storage: unknown, options: unknown): ResolvedStoreOptions {
  assertStorage(storage)
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('DurableStore.open needs options with a namespace')
  const { namespace, maxBytes, chunkBytes = DEFAULT_CHUNK_BYTES, listing } = options as Partial<DurableStoreOptions>
  const problem = namespaceProblem(namespace)
  if (problem !== undefined) throw new InvalidArgumentError(problem)
  if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
    throw new InvalidArgumentError(`maxBytes must be a positive integer, got ${String(maxBytes)}`)
  }
  const badListing = listing === undefined ? undefined : listingProblem(listing)
  if (badListing !== undefined) throw new InvalidArgumentError(badListing)
  if (typeof chunkBytes !== 'number' || !Number.isSafeInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    throw new InvalidArgumentError(`chunkBytes must be an integer from ${MIN_CHUNK_BYTES} to ${MAX_CHUNK_BYTES}, got ${String(chunkBytes)}`)
  }
  return { namespace: namespace as string, maxBytes, chunkBytes, listing }
}

/** @throws {@link InvalidArgumentError} when `key` cannot be a store key. */
export function assertUserKey(key: unknown): asserts key is string {
  const problem = userKeyProblem(key)
  if (problem !== undefined) throw new InvalidArgumentError(problem)
}

function assertStorage(storage: unknown): asserts storage is PlatformStorage {
  const candidate = storage as Partial<PlatformStorage> | null
  const ok =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.get === 'function' &&
    typeof candidate.set === 'function' &&
    typeof candidate.remove === 'function' &&
    typeof candidate.info === 'function'
  if (!ok) throw new InvalidArgumentError('DurableStore.open needs a PlatformStorage (get, set, remove, info)')
}
