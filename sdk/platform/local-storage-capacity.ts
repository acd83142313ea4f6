/** What `getStorageInfoSync` returns, sizes in KB. */
interface RawStorageInfo {
  keys: string[]
  currentSize: number
  limitSize: number
}

declare const localStorage: { readonly length: number } | undefined

/**
 * localStorage's quota per origin: 5 Mi UTF-16 code units (keys and values)
 * in Chromium, Firefox and Safari. Counted as KB it is conservative for the
 * store, which measures UTF-8 bytes: a character never takes fewer than one.
 */
export const LOCAL_STORAGE_CAPACITY_KB = 5 * 1024

/** The largest limit a real runtime reports (App's `plus.storage` says nothing near this). */
const PLAUSIBLE_LIMIT_KB = 1024 * 1024 * 1024

/**
 * Storage info with an honest limit where the runtime sits on a browser's
 * localStorage. uni-app H5 reports `limitSize: Number.MAX_VALUE` and counts
 * `currentSize` as UTF-16 bytes (two per character); this gives the real
 * capacity and the use in the same unit, characters as KB, so a budget
 * derived from the limit makes the SDK's own `QuotaExceededError` come
 * before the browser's. Any other runtime's figures pass through as they are.
 */
export function withLocalStorageCapacity(info: RawStorageInfo): RawStorageInfo {
  const unbounded = !Number.isFinite(info.limitSize) || info.limitSize > PLAUSIBLE_LIMIT_KB
  if (!unbounded || typeof localStorage === 'undefined' || !localStorage) return info
  return { keys: info.keys, currentSize: Math.ceil(info.currentSize / 2), limitSize: LOCAL_STORAGE_CAPACITY_KB }
}
