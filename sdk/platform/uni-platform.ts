import { InvalidArgumentError, UnsupportedError } from '../errors'
import { globalUni, namedGlobalUni } from './global-uni'
import type { Platform, PlatformStorage } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { onePerObject } from './one-per-object'
import { createRuntimePlatform, type RuntimePlatformOptions } from './runtime-platform'

/** Key prefixes uni-app keeps for itself (platform-facts). */
const RESERVED_PREFIXES = ['uni-', 'uni_', 'dcloud-', 'dcloud_']

function assertNotReserved(key: string): void {
  if (RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
    throw new InvalidArgumentError(`storage key "${key}" uses a prefix uni-app reserves`)
  }
}

/** One guarded adapter per storage adapter, so one `uni` keeps one storage identity. */
const guardReservedKeys = onePerObject(guardStorage)

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
 * The global `uni` (given, or when none is given) is reached through
 * statically named APIs, which uni-app's tree-shaking H5 build keeps; any
 * other object (an emulator's `uni`) is used as it is.
 */
function runtimeFor(given: MiniProgramRuntime | undefined): MiniProgramRuntime {
  const global = globalUni()
  if (global && (!given || given === global)) return namedGlobalUni()
  if (given) return given
  throw new UnsupportedError('uni', 'this environment (no global uni)')
}

/**
 * The {@link Platform} for uni-app. On mp-weixin everything works; on H5 and
 * App there is no file system, which `capabilities` reports and which fails
 * with `UnsupportedError` when used. Works on uni-app's default H5 build
 * (tree-shaking on) with no manifest changes.
 *
 * @param uni The global `uni` (the default), or a stand-in such as an emulator's `emu.uni`.
 * @throws {UnsupportedError} when no `uni` is given and there is no global one.
 * @example
 * ```ts
 * const platform = createUniPlatform()
 * if (!platform.capabilities.fileSystem) hidePhotoButton()
 * ```
 */
export function createUniPlatform(uni?: MiniProgramRuntime, options: RuntimePlatformOptions = {}): Platform {
  const platform = createRuntimePlatform(runtimeFor(uni), 'uni', options)
  return { ...platform, storage: guardReservedKeys(platform.storage) }
}
