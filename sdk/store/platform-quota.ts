import { QuotaExceededError } from '../errors'
import type { PlatformStorage } from '../platform/platform'

/**
 * Recognises "storage is full" from the runtime, whose only signal is the
 * message of a thrown error: WeChat's `setStorageSync:fail exceed storage
 * max size 10Mb` (sometimes after an `APP-SERVICE-SDK:` prefix), the
 * per-key `exceed storage item max length` of other runtimes, and the
 * browser's `QuotaExceededError` on uni-app H5.
 */
export function isPlatformQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { name, message, errMsg } = error as { name?: unknown; message?: unknown; errMsg?: unknown }
  if (name === 'QuotaExceededError') return true
  const text = `${typeof message === 'string' ? message : ''} ${typeof errMsg === 'string' ? errMsg : ''}`
  return /exceed storage|quota/i.test(text)
}

/**
 * The typed error for a write the runtime refused for lack of room.
 * `availableBytes` comes from `getStorageInfoSync`, which counts in KB, so
 * it is approximate; it is 0 when even that call fails.
 */
export function platformQuotaError(storage: PlatformStorage, error: unknown, requiredBytes: number): QuotaExceededError {
  const reason = error instanceof Error ? error.message : String(error)
  let availableBytes = 0
  try {
    const info = storage.info()
    availableBytes = Math.max(0, (info.limitSizeKB - info.currentSizeKB) * 1024)
  } catch {
    availableBytes = 0
  }
  return new QuotaExceededError(`device storage is full (${reason}); nothing stored was lost`, requiredBytes, availableBytes, 'device')
}
