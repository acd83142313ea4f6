import type { PlatformStorage } from './platform'
import { withLocalStorageCapacity } from './local-storage-capacity'
import type { MiniProgramRuntime } from './runtime'

/** WeChat and uni-app return `''` for a missing key; the SDK never stores a bare `''`, so it means "missing". */
function fromRuntime(value: unknown): unknown {
  return value === '' ? undefined : value
}

/**
 * One storage adapter per runtime object: the SDK recognises "the same
 * storage" by identity, so two platforms built over one `wx` (two pages each
 * calling `createWxPlatform(wx)`) share one outbox engine instead of racing.
 */
const adapters = new WeakMap<MiniProgramRuntime, PlatformStorage>()

/** Sync storage over `wx`/`uni`, with the batch calls only where the base library has them. */
export function createRuntimeStorage(runtime: MiniProgramRuntime): PlatformStorage {
  let storage = adapters.get(runtime)
  if (!storage) {
    storage = adaptStorage(runtime)
    adapters.set(runtime, storage)
  }
  return storage
}

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
