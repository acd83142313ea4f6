import { HttpStatusError } from '../errors'
import type { Platform } from '../platform/platform'

/** A downloaded body, still in the runtime's temp folder. */
export interface DownloadedFile {
  tempFilePath: string
  bytes: number
}

/**
 * `wx.downloadFile` to a temp file, which survives only this run: the
 * caller moves it into `USER_DATA_PATH` to keep it.
 *
 * @throws {@link TransportError} when no answer came.
 * @throws {@link HttpStatusError} for a non-2xx answer (its temp file is removed).
 */
export async function downloadToTemp(platform: Platform, url: string, header: Record<string, string>): Promise<DownloadedFile> {
  const { statusCode, tempFilePath } = await platform.http.downloadFile({ url, header }).result
  if (statusCode < 200 || statusCode >= 300 || tempFilePath === undefined) {
    if (tempFilePath !== undefined) await platform.fs.unlink(tempFilePath).catch(() => undefined)
    throw new HttpStatusError(url, statusCode)
  }
  const { size } = await platform.fs.stat(tempFilePath)
  return { tempFilePath, bytes: size }
}
