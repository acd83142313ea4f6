import type { PlatformStorage } from '../platform/platform'

/**
 * What one `getStorageInfoSync` says, as far as opening a store needs it:
 * every key, and the runtime's limit (for the default budget). On a real
 * phone the call lists every key the app has, so stores opened together
 * share one listing instead of taking one each.
 */
export interface StorageListing {
  readonly keys: readonly string[]
  /** The runtime's storage limit, in KB, as `getStorageInfoSync().limitSize` reports it. */
  readonly limitSizeKB: number
}

/** One `getStorageInfoSync`. The runtime's error propagates. */
export function listStorage(storage: PlatformStorage): StorageListing {
  const { keys, limitSizeKB } = storage.info()
  return { keys, limitSizeKB }
}

/** Why `listing` cannot be used, or `undefined` when it can. Checks the shape, not every key. */
export function listingProblem(listing: unknown): string | undefined {
  if (typeof listing !== 'object' || listing === null) return 'listing must be what storage.info() returned'
  const { keys, limitSizeKB } = listing as Partial<StorageListing>
  if (!Array.isArray(keys)) return 'listing.keys must be an array of storage keys'
  if (typeof limitSizeKB !== 'number') return 'listing.limitSizeKB must be a number'
  return undefined
}
