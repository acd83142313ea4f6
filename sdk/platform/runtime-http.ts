import { TransportError } from '../errors'
import type { HttpResponse, PlatformHttp, PlatformTask } from './platform'
import type { MiniProgramRuntime, RuntimeFailure, RuntimeRequestOptions } from './runtime'

type Settle<T> = { success: (result: T) => void; fail: (error: RuntimeFailure) => void }

/**
 * Turns one callback-style network call into a {@link PlatformTask}. The
 * runtime's task object is only used to abort; the callbacks are the
 * reliable way to learn the outcome (platform-facts).
 */
function toTask<T>(start: (settle: Settle<T>) => unknown): PlatformTask<T> {
  let nativeTask: unknown
  const result = new Promise<T>((resolve, reject) => {
    nativeTask = start({
      success: resolve,
      fail: (error) => reject(new TransportError(error.errMsg, error.errno)),
    })
  })
  return {
    result,
    abort: () => {
      const abortable = nativeTask as { abort?: () => void } | undefined
      abortable?.abort?.()
    },
  }
}

/** `request`, `uploadFile`, `downloadFile` over `wx`/`uni`. */
export function createRuntimeHttp(runtime: MiniProgramRuntime): PlatformHttp {
  return {
    request: (request) =>
      toTask<HttpResponse>((settle) =>
        runtime.request({
          ...request,
          // wx sends an array body as JSON like any object; its typings just do not say so.
          data: request.data as RuntimeRequestOptions['data'],
          success: ({ data, statusCode, header }) => settle.success({ data, statusCode, header: header ?? {} }),
          fail: settle.fail,
        }),
      ),
    uploadFile: (request) =>
      toTask<HttpResponse<string>>((settle) =>
        runtime.uploadFile({
          ...request,
          success: ({ data, statusCode }) => settle.success({ data, statusCode, header: {} }),
          fail: settle.fail,
        }),
      ),
    downloadFile: (request) =>
      toTask((settle) =>
        runtime.downloadFile({
          ...request,
          success: ({ statusCode, tempFilePath, filePath }) =>
            settle.success(request.filePath ? { statusCode, filePath: filePath ?? request.filePath } : { statusCode, tempFilePath }),
          fail: settle.fail,
        }),
      ),
  }
}
