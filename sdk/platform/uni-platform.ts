import { InvalidArgumentError } from '../errors'
import type { Platform, PlatformStorage } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createRuntimePlatform, type RuntimePlatformOptions } from './runtime-platform'

/** Key prefixes uni-app keeps for itself (platform-facts). */
const RESERVED_PREFIXES = ['uni-', 'uni_', 'dcloud-', 'dcloud_']

function assertNotReserved(key: string): void {
  if (RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    throw new InvalidArgumentError(`storage key "${key}" uses a prefix uni-app reserves`)
  }
}

/** Guarded adapters by the storage they guard, so one `uni` keeps one storage identity. */
const guarded = new WeakMap<PlatformStorage, PlatformStorage>()

function guardReservedKeys(storage: PlatformStorage): PlatformStorage {
  let guard = guarded.get(storage)
  if (!guard) {
    guard = guardStorage(storage)
    guarded.set(storage, guard)
  }
  return guard
}

function guardStorage(storage: PlatformStorage): PlatformStorage {
  const batchSet = storage.batchSet
  return {
    ...storage,
    set: (key, value) => {
      assertNotReserved(key)
      storage.set(key, value)
    },
    batchSet: batchSet && ((entries) => {
      entries.forEach(({ key }) => assertNotReserved(key))
      batchSet(entries)
    }),
  }
}

/**
 * The {@link Platform} for uni-app. On mp-weixin everything works; on H5 and
 * App there is no file system and no `onAppShow`/`onAppHide`, which
 * `capabilities` reports and which fail with `UnsupportedError` when used.
 *
 * @example
 * ```ts
 * const platform = createUniPlatform(uni)
 * if (!platform.capabilities.fileSystem) hidePhotoButton()
 * ```
 */
export function createUniPlatform(uni: MiniProgramRuntime, options: RuntimePlatformOptions = {}): Platform {
  const platform = createRuntimePlatform(uni, 'uni', options)
  return { ...platform, storage: guardReservedKeys(platform.storage) }
}
