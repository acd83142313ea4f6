/**
 * The smallest structural view of `wx` and `uni` the adapters need. The real
 * typings (`WechatMiniprogram.Wx`, `UniNamespace.Uni`) are checked against
 * these in `test/typings/runtime-typings.check.ts`, so a mismatch with the
 * official APIs fails the type check.
 */
import type { HttpMethod } from './platform'

export interface RuntimeFailure {
  errMsg: string
  errno?: number
  errCode?: number
}

interface Callbacks<T> {
  success?: (result: T) => void
  fail?: (error: RuntimeFailure) => void
}

export interface RuntimeTask {
  abort(): void
}

export interface RuntimeRequestOptions extends Callbacks<{ data: unknown; statusCode: number; header: Record<string, string> }> {
  url: string
  method?: HttpMethod
  data?: string | ArrayBuffer | Record<string, unknown>
  header?: Record<string, string>
  timeout?: number
  dataType?: 'json' | 'text'
  responseType?: 'text' | 'arraybuffer'
}

export interface RuntimeUploadOptions extends Callbacks<{ data: string; statusCode: number }> {
  url: string
  filePath: string
  name: string
  header?: Record<string, string>
  formData?: Record<string, string>
  timeout?: number
}

export interface RuntimeDownloadOptions extends Callbacks<{ statusCode: number; tempFilePath: string; filePath?: string }> {
  url: string
  header?: Record<string, string>
  timeout?: number
  filePath?: string
}

/** The callback-style file-system manager both runtimes share. */
export interface RuntimeFileSystemManager {
  access(options: { path: string } & Callbacks<unknown>): void
  copyFile(options: { srcPath: string; destPath: string } & Callbacks<unknown>): void
  saveFile(options: { tempFilePath: string; filePath?: string } & Callbacks<{ savedFilePath: string }>): void
  writeFile(options: { filePath: string; data: string | ArrayBuffer; encoding?: 'utf8' | 'binary' } & Callbacks<unknown>): void
  readFile(options: { filePath: string; encoding?: 'utf8' } & Callbacks<{ data: string | ArrayBuffer }>): void
  unlink(options: { filePath: string } & Callbacks<unknown>): void
  stat(options: { path: string } & Callbacks<{ stats: RuntimeStats | unknown[] | Record<string, unknown> }>): void
  mkdir(options: { dirPath: string; recursive?: boolean } & Callbacks<unknown>): void
  readdir(options: { dirPath: string } & Callbacks<{ files: string[] }>): void
  rename(options: { oldPath: string; newPath: string } & Callbacks<unknown>): void
  rmdir(options: { dirPath: string; recursive?: boolean } & Callbacks<unknown>): void
}

export interface RuntimeStats {
  size: number
  lastModifiedTime: number
  isFile(): boolean
  isDirectory(): boolean
}

export interface RuntimeNetworkStatus {
  isConnected: boolean
  networkType: string
}

/** What `createWxPlatform` and `createUniPlatform` read from the runtime object. */
export interface MiniProgramRuntime {
  setStorageSync(key: string, data: unknown): void
  getStorageSync(key: string): unknown
  removeStorageSync(key: string): void
  getStorageInfoSync(): { keys: string[]; currentSize: number; limitSize: number }
  batchSetStorageSync?(kvList: Array<{ key: string; value: unknown }>): void
  batchGetStorageSync?(keyList: string[]): unknown[]
  getNetworkType(options: Callbacks<{ networkType: string }>): void
  onNetworkStatusChange(listener: (status: RuntimeNetworkStatus) => void): void
  /** The official typings give this listener a different argument type than `on`'s. */
  offNetworkStatusChange?(listener: (result: { errMsg?: string }) => void): void
  request(options: RuntimeRequestOptions): unknown
  uploadFile(options: RuntimeUploadOptions): unknown
  downloadFile(options: RuntimeDownloadOptions): unknown
  getFileSystemManager?(): RuntimeFileSystemManager
  compressImage?(options: { src: string; quality?: number } & Callbacks<{ tempFilePath: string }>): void
  onAppShow?(listener: (options: unknown) => void): void
  onAppHide?(listener: (options: unknown) => void): void
  getRandomValues?(options: { length: number } & Callbacks<{ randomValues: ArrayBuffer }>): void
  env?: { USER_DATA_PATH?: string }
}
