/**
 * The SDK's typed errors. Every error the SDK throws on purpose is an
 * {@link OfflineError} with a stable `code`, so apps can branch on
 * `err.code` instead of parsing messages.
 *
 * @example
 * ```ts
 * try { store.put('draft', value) }
 * catch (err) {
 *   if (err instanceof OfflineError && err.code === 'QUOTA_EXCEEDED') showStorageFull()
 * }
 * ```
 */

/** Stable codes of {@link OfflineError}. */
export type OfflineErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNSERIALIZABLE'
  | 'QUOTA_EXCEEDED'
  | 'UNSUPPORTED'
  | 'TRANSPORT'
  | 'FILE_ERROR'
  | 'STORE_CORRUPTED'
  | 'FUTURE_FORMAT'
  | 'IN_USE'
  | 'REPLAY_FAILED'
  | 'CACHE_MISS'
  | 'HTTP_STATUS'

/** Base class of every error the SDK throws on purpose. */
export class OfflineError extends Error {
  readonly code: OfflineErrorCode

  constructor(code: OfflineErrorCode, message: string) {
    super(message)
    this.code = code
    // A literal, not `new.target.name`: minifiers rename classes (issue 14), and each subclass sets its own.
    this.name = 'OfflineError'
    // Keeps `instanceof` working when compiled to ES5 for old base libraries.
    Object.setPrototypeOf(this, new.target.prototype)
  }
}

/** An argument is missing, of the wrong type or out of range. Nothing was written. */
export class InvalidArgumentError extends OfflineError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
    this.name = 'InvalidArgumentError'
  }
}

/** A value cannot be stored faithfully as JSON (function, BigInt, cycle, ...). Nothing was written. */
export class UnserializableError extends OfflineError {
  /** Where in the value the problem is, e.g. `value.items[3].at`. */
  readonly path: string

  constructor(path: string, problem: string) {
    super('UNSERIALIZABLE', `${path} cannot be stored: ${problem}`)
    this.name = 'UnserializableError'
    this.path = path
  }
}

/** A value does not fit the budget (or the device is full). Nothing already stored was lost. */
export class QuotaExceededError extends OfflineError {
  /** Bytes the write needed. */
  readonly requiredBytes: number
  /** Bytes that were free, as far as the SDK knows. */
  readonly availableBytes: number
  /** `budget`: the SDK's own byte budget; `device`: the phone's storage is full (freeing other data can help). */
  readonly limit: 'budget' | 'device'

  constructor(message: string, requiredBytes: number, availableBytes: number, limit: 'budget' | 'device' = 'budget') {
    super('QUOTA_EXCEEDED', message)
    this.name = 'QuotaExceededError'
    this.requiredBytes = requiredBytes
    this.availableBytes = availableBytes
    this.limit = limit
  }
}

/** The runtime lacks a capability (e.g. the file system on uni-app H5). */
export class UnsupportedError extends OfflineError {
  /** The missing capability, e.g. `fileSystem`. */
  readonly capability: string

  constructor(capability: string, runtime: string) {
    super('UNSUPPORTED', `${capability} is not supported on ${runtime}`)
    this.name = 'UnsupportedError'
    this.capability = capability
  }
}

/** A request never got an HTTP answer (offline, timeout, interrupted, aborted). */
export class TransportError extends OfflineError {
  /** The runtime's message, e.g. `request:fail timeout`. */
  readonly errMsg: string
  readonly errno?: number

  constructor(errMsg: string, errno?: number) {
    super('TRANSPORT', errMsg)
    this.name = 'TransportError'
    this.errMsg = errMsg
    this.errno = errno
  }

  /** True when the runtime gave up waiting (`request:fail timeout`). */
  get isTimeout(): boolean {
    return /timeout/i.test(this.errMsg)
  }

  /** True when the app went to the background mid-request. */
  get isInterrupted(): boolean {
    return /interrupted/i.test(this.errMsg)
  }
}

/** A file-system call failed; `errCode` is WeChat's FileError code (e.g. 1300002). */
export class PlatformFileError extends OfflineError {
  readonly errMsg: string
  readonly errCode?: number

  constructor(errMsg: string, errCode?: number) {
    super('FILE_ERROR', errMsg)
    this.name = 'PlatformFileError'
    this.errMsg = errMsg
    this.errCode = errCode
  }
}

/** Stored data under the SDK's keys is not what the SDK wrote. */
export class StoreCorruptedError extends OfflineError {
  constructor(message: string) {
    super('STORE_CORRUPTED', message)
    this.name = 'StoreCorruptedError'
  }
}

/** Storage was written by a newer release of the SDK; this one will not touch it. */
export class FutureFormatError extends OfflineError {
  constructor(found: number, supported: number) {
    super('FUTURE_FORMAT', `stored format ${found} is newer than this SDK supports (${supported}); upgrade the SDK`)
    this.name = 'FutureFormatError'
  }
}

/** The same namespace or queue name is already open in this app. */
export class InUseError extends OfflineError {
  constructor(message: string) {
    super('IN_USE', message)
    this.name = 'InUseError'
  }
}

/** `Queue.replayRequests()` ended with entries still waiting (as Workbox's `queue-replay-failed`). */
export class ReplayFailedError extends OfflineError {
  /** Entries still pending after the replay. */
  readonly remaining: number

  constructor(queue: string, remaining: number) {
    super('REPLAY_FAILED', `queue "${queue}" still has ${remaining} entries to send`)
    this.name = 'ReplayFailedError'
    this.remaining = remaining
  }
}

/** A read had to come from the cache (offline, `cacheOnly`, a failed download) and no kept copy exists. */
export class CacheMissError extends OfflineError {
  /** The URL that was asked for. */
  readonly url: string

  constructor(url: string, reason: string) {
    super('CACHE_MISS', `no kept copy of ${url}: ${reason}`)
    this.name = 'CacheMissError'
    this.url = url
  }
}

/** A download the SDK needed whole (an image, a manifest or one of its resources) got a non-2xx answer. */
export class HttpStatusError extends OfflineError {
  readonly url: string
  readonly statusCode: number

  constructor(url: string, statusCode: number) {
    super('HTTP_STATUS', `${url} answered HTTP ${statusCode}`)
    this.name = 'HttpStatusError'
    this.url = url
    this.statusCode = statusCode
  }
}
