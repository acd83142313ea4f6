import { randomBytes } from 'crypto'
import type { OfflineHarness } from '../support/offline-harness'

/** Random bytes, including ones that are not valid UTF-8, to prove uploads are byte-exact. */
export function photoBytes(size: number): Buffer {
  return randomBytes(size)
}

/** A photo just taken: a temp file, as `wx.chooseMedia` gives one. */
export function takePhoto(h: OfflineHarness, size = 4096): { path: string; bytes: Buffer } {
  const bytes = photoBytes(size)
  return { path: h.emu.createTempFile(bytes, 'jpg'), bytes }
}

/** The SDK's kept files for the default queue of namespace `test`. */
export async function keptFiles(h: OfflineHarness): Promise<string[]> {
  const folder = `${h.platform().fs.userDataPath}/mpo/test/default`
  return h.platform().fs.readdir(folder).catch(() => [])
}

/** The bytes the server received in the upload whose answer had `url`. */
export function uploadedBytes(h: OfflineHarness, url: string): Buffer | undefined {
  const index = Number(url.replace('/files/upload-', '')) - 1
  const uploads = h.server.applied.filter((request) => request.path === '/upload' && request.multipart)
  return uploads[index]?.multipart?.files[0]?.bytes
}
