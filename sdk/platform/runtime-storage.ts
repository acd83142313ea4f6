import type { PlatformStorage } from './platform'
import type { MiniProgramRuntime } from './runtime'

/** WeChat and uni-app return `''` for a missing key; the SDK never stores a bare `''`, so it means "missing". */
function fromRuntime(value: unknown): unknown {
  return value === '' ? undefined : value
}

/** Sync storage over `wx`/`uni`, with the batch calls only where the base library has them. */
export function createRuntimeStorage(runtime: MiniProgramRuntime): PlatformStorage {
  const storage: PlatformStorage = {
    get: (key) => fromRuntime(runtime.getStorageSync(key)),
    set: (key, value) => runtime.setStorageSync(key, value),
    remove: (key) => runtime.removeStorageSync(key),
    info: () => {
      const info = runtime.getStorageInfoSync()
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
