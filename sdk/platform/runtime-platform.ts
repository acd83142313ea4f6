import { UnsupportedError } from '../errors'
import type { Clock, Platform, PlatformMedia } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createRandomBytes, randomSourceOf } from './random-bytes'
import { createRuntimeFileSystem } from './runtime-file-system'
import { createRuntimeHttp } from './runtime-http'
import { createRuntimeLifecycle } from './runtime-lifecycle'
import { createRuntimeNetwork } from './runtime-network'
import { createRuntimeStorage } from './runtime-storage'
import { systemClock } from './system-clock'

/** Options shared by `createWxPlatform` and `createUniPlatform`. */
export interface RuntimePlatformOptions {
  /** Replaces `Date.now` and the global timers; tests pass the emulator's clock. */
  clock?: Clock
}

function createMedia(runtime: MiniProgramRuntime, runtimeName: string): PlatformMedia {
  const compressImage = runtime.compressImage
  return {
    compressImage: (src, quality) => {
      if (!compressImage) return Promise.reject(new UnsupportedError('compressImage', runtimeName))
      return new Promise((resolve, reject) => {
        compressImage.call(runtime, {
          src,
          quality,
          success: (result) => resolve(result.tempFilePath),
          fail: (error) => reject(new Error(error.errMsg)),
        })
      })
    },
  }
}

/** Builds a {@link Platform} over any runtime object shaped like `wx`. */
export function createRuntimePlatform(
  runtime: MiniProgramRuntime,
  name: string,
  options: RuntimePlatformOptions = {},
): Platform {
  const hasFileSystem = Boolean(runtime.getFileSystemManager && runtime.env?.USER_DATA_PATH)
  return {
    name,
    capabilities: {
      fileSystem: hasFileSystem,
      batchStorage: Boolean(runtime.batchSetStorageSync && runtime.batchGetStorageSync),
      offNetworkStatusChange: Boolean(runtime.offNetworkStatusChange),
      appLifecycle: Boolean(runtime.onAppShow && runtime.onAppHide),
      secureRandom: randomSourceOf(runtime) !== 'mathRandom',
      compressImage: Boolean(runtime.compressImage),
    },
    storage: createRuntimeStorage(runtime),
    network: createRuntimeNetwork(runtime),
    http: createRuntimeHttp(runtime),
    fs: createRuntimeFileSystem(runtime, name),
    media: createMedia(runtime, name),
    lifecycle: createRuntimeLifecycle(runtime, name),
    clock: options.clock ?? systemClock,
    randomBytes: createRandomBytes(runtime),
  }
}
