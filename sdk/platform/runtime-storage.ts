import type { PlatformStorage } from './platform'
import { withLocalStorageCapacity } from './local-storage-capacity'
import { onePerObject } from './one-per-object'
import type { MiniProgramRuntime } from './runtime'

/** WeChat and uni-app return `''` for a missing key; the SDK never stores a bare `''`, so it means "missing". */
function fromRuntime(value: unknown): unknown {
  return value === '' ? undefined : value
}

/**
 * Sync storage over `wx`/`uni`, with the batch calls only where the base
 * library has them. One adapter per runtime object: two platforms built
 * over one `wx` (two pages each calling `createWxPlatform(wx)`) share one
 * outbox engine instead of racing.
 */
export const createRuntimeStorage = onePerObject(adaptStorage)

function adaptStorage(runtime: MiniProgramRuntime): PlatformStorage {
  const storage: PlatformStorage = {
    get: (key) => fromRuntime(runtime.getStorageSync(key)),
    set: (key, value) => runtime.setStorageSync(key, value),
    remove: (key) => runtime.removeStorageSync(key),
    info: () => {
      const info = withLocalStorageCapacity(runtime.getStorageInfoSync())
      return { keys: info.keys, currentSizeKB: info.currentSize, limitSizeKB: info.limitSize }
    },
  }
  const batchSet = runtime.batchSetStorageSync
  const batchGet = runtime.batchGetStorageSync
  if (!batchSet || !batchGet) return storage
  return {
    ...storage,
    batchSet: (entries) => batchSet.call(runtime, entries.map(({ key, value }) => ({ key, value }))),
    batchGet: (keys) => batchGet.call(runtime, [...keys]).map(fromRuntime),
  }
}
