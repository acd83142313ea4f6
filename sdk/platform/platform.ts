/**
 * The one seam between the SDK and a mini-program runtime.
 *
 * Everything above `sdk/platform/` talks to `wx` or `uni` only through this
 * interface, so the whole SDK runs in Node against the emulator in
 * `sdk/testing`. Time, timers and randomness come through here too, so tests
 * can control them.
 */

/** Network types as `wx.getNetworkType` reports them. */
export type NetworkType = 'wifi' | '2g' | '3g' | '4g' | '5g' | 'unknown' | 'none'

/** What `onNetworkStatusChange` delivers. "Connected" is not "reachable". */
export interface NetworkStatus {
  isConnected: boolean
  networkType: NetworkType
}

/** Removes a listener added by one of the `on*` methods. */
export type Unsubscribe = () => void

/** Sizes as `wx.getStorageInfoSync` reports them: **kilobytes**. */
export interface StorageInfo {
  keys: string[]
  currentSizeKB: number
  limitSizeKB: number
}

/**
 * Synchronous key-value storage (`wx.setStorageSync` & co.).
 * Every method throws the runtime's own error on failure (for example
 * `setStorageSync:fail exceed storage max size 10Mb`).
 */
export interface PlatformStorage {
  /** The stored value, or `undefined` when the key is missing. */
  get(key: string): unknown
  set(key: string, value: unknown): void
  remove(key: string): void
  info(): StorageInfo
  /** Present only where the base library has `batchSetStorageSync` (2.25.0+). */
  readonly batchSet?: (entries: ReadonlyArray<{ key: string; value: unknown }>) => void
  /** Present only where the base library has `batchGetStorageSync` (2.25.0+); missing keys give `undefined`. */
  readonly batchGet?: (keys: readonly string[]) => unknown[]
}

export interface PlatformNetwork {
  getStatus(): Promise<NetworkStatus>
  /** Subscribes to changes; the returned function unsubscribes. */
  onChange(listener: (status: NetworkStatus) => void): Unsubscribe
}

/** HTTP methods `wx.request` accepts (it has no PATCH). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'TRACE' | 'CONNECT'

export type RequestData = string | Record<string, unknown> | unknown[] | ArrayBuffer

/** The serialisable part of `wx.request` options. */
export interface HttpRequest {
  url: string
  method?: HttpMethod
  data?: RequestData
  header?: Record<string, string>
  /** Milliseconds; the runtime's default is 60000. */
  timeout?: number
  /** `'json'` (default) parses the body when it is JSON. */
  dataType?: 'json' | 'text'
  responseType?: 'text' | 'arraybuffer'
}

/** Any HTTP answer, 4xx and 5xx included. */
export interface HttpResponse<T = unknown> {
  statusCode: number
  data: T
  header: Record<string, string>
}

export interface UploadRequest {
  url: string
  filePath: string
  /** The multipart field name of the file. */
  name: string
  header?: Record<string, string>
  formData?: Record<string, string>
  timeout?: number
}

export interface DownloadRequest {
  url: string
  header?: Record<string, string>
  timeout?: number
  /** Where to keep the body; without it the runtime gives a temp path. */
  filePath?: string
}

export interface DownloadResponse {
  statusCode: number
  /** Set when no `filePath` was given. */
  tempFilePath?: string
  filePath?: string
}

/** A network call in flight: its outcome and a way to abort it. */
export interface PlatformTask<T> {
  readonly result: Promise<T>
  abort(): void
}

/**
 * `request`, `uploadFile` and `downloadFile`. Every HTTP answer resolves;
 * only transport failures reject, with a {@link TransportError}.
 */
export interface PlatformHttp {
  request(request: HttpRequest): PlatformTask<HttpResponse>
  /** The answer's `data` is the raw string: the runtime does not parse it. */
  uploadFile(request: UploadRequest): PlatformTask<HttpResponse<string>>
  downloadFile(request: DownloadRequest): PlatformTask<DownloadResponse>
}

export interface FileStats {
  size: number
  isFile: boolean
  isDirectory: boolean
  /** Seconds, as the runtime reports them. */
  lastModifiedTime: number
}

/**
 * `wx.getFileSystemManager()` as promises. Failures reject with a
 * {@link PlatformFileError}. On runtimes without a file system (uni-app H5,
 * the classic App engine) every method rejects with an `UnsupportedError`.
 */
export interface PlatformFileSystem {
  /** `wx.env.USER_DATA_PATH`: the app's own writable folder. */
  readonly userDataPath: string
  access(path: string): Promise<void>
  copyFile(srcPath: string, destPath: string): Promise<void>
  /** Moves a temp file to `filePath`. */
  saveFile(tempFilePath: string, filePath: string): Promise<string>
  writeFile(filePath: string, data: string | ArrayBuffer, encoding?: 'utf8' | 'binary'): Promise<void>
  readFile(filePath: string): Promise<ArrayBuffer>
  readFile(filePath: string, encoding: 'utf8'): Promise<string>
  unlink(filePath: string): Promise<void>
  stat(path: string): Promise<FileStats>
  mkdir(dirPath: string, recursive?: boolean): Promise<void>
  readdir(dirPath: string): Promise<string[]>
  rename(oldPath: string, newPath: string): Promise<void>
  rmdir(dirPath: string, recursive?: boolean): Promise<void>
}

export interface PlatformMedia {
  /** `wx.compressImage`: resolves with a temp path. */
  compressImage(src: string, quality: number): Promise<string>
}

export interface PlatformLifecycle {
  onShow(listener: () => void): Unsubscribe
  onHide(listener: () => void): Unsubscribe
}

/** Opaque handle of a timer. */
export type TimerHandle = unknown

/** Wall clock and timers, replaceable so tests can move time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** What this runtime can do; a missing capability fails clearly when used. */
export interface Capabilities {
  fileSystem: boolean
  batchStorage: boolean
  /** `offNetworkStatusChange` (2.9.3+). Without it the SDK keeps one native listener for the app's lifetime. */
  offNetworkStatusChange: boolean
  appLifecycle: boolean
  /** Secure random bytes: the runtime's `getRandomValues` (2.15.0+) or the Web Crypto API; otherwise randomness falls back to `Math.random`. */
  secureRandom: boolean
  compressImage: boolean
}

/** Everything the SDK needs from a runtime. Build one with `createWxPlatform` or `createUniPlatform`. */
export interface Platform {
  /** `'wx'`, `'uni'`, or a custom runtime's name. */
  readonly name: string
  readonly capabilities: Capabilities
  readonly storage: PlatformStorage
  readonly network: PlatformNetwork
  readonly http: PlatformHttp
  readonly fs: PlatformFileSystem
  readonly media: PlatformMedia
  readonly lifecycle: PlatformLifecycle
  readonly clock: Clock
  /** Cryptographically secure where the runtime allows it (see `capabilities.secureRandom`). */
  randomBytes(length: number): Promise<Uint8Array>
}
