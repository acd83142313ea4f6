import type { RuntimeFailure } from '../platform/runtime'
import type { CallbackScheduler } from './callback-scheduler'
import type { EmulatedFileSystem } from './emulated-file-system'
import { AppKilledError, type FaultInjector } from './fault-injector'
import { EmulatedFileError } from './file-errors'

/** `wx.compressImage` options as the emulator reads them. */
export interface CompressImageOptions {
  src: string
  quality?: number
  success?: (result: { tempFilePath: string }) => void
  fail?: (error: RuntimeFailure) => void
}

/**
 * Builds `wx.compressImage`. It copies the source bytes to a new temp file
 * unchanged (no real image codec): what the SDK relies on is the new temp
 * path and its lifetime, not the pixels.
 */
export function createCompressImage(
  files: EmulatedFileSystem,
  faults: FaultInjector,
  callbacks: CallbackScheduler,
): (options: CompressImageOptions) => void {
  return (options) => {
    faults.assertAlive()
    let tempFilePath: string
    try {
      const bytes = files.readBytes('compressImage', options.src)
      const extension = /\.png$/i.test(options.src) ? 'png' : 'jpg'
      tempFilePath = files.createTempFile(bytes, extension, 'compressImage')
    } catch (error) {
      if (error instanceof AppKilledError) throw error
      const failure: RuntimeFailure =
        error instanceof EmulatedFileError
          ? { errMsg: error.errMsg, errCode: error.errCode }
          : { errMsg: `compressImage:fail ${error instanceof Error ? error.message : String(error)}` }
      callbacks.defer(() => options.fail?.(failure))
      return
    }
    const result = { tempFilePath, errMsg: 'compressImage:ok' }
    callbacks.defer(() => options.success?.(result))
  }
}
