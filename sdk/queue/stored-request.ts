import { InvalidArgumentError } from '../errors'
import type { HttpMethod, HttpRequest, RequestData } from '../platform/platform'
import { toJsonText } from '../store'
import { decodeBase64, encodeBase64 } from '../util/base64'
import { assertRequestUrl, checkHeaderFields } from './request-vocabulary'
import type { StepReference } from './step-reference'

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']

/** The weakest URL any release stored: checked again at send time. */
const STORED_URL = /^https?:\/\/[^/\s]+/i

/** Headers never written to storage unless the app opts in: they are re-applied at send time. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'cookie']

/**
 * The serialisable part of a `wx.request`, as kept in the outbox: compact,
 * because every byte here is written once per entry.
 */
export interface StoredRequest {
  /** A reference only inside a task, resolved before the step is sent. */
  url: string | StepReference
  method: HttpMethod
  /** An object, array or string body, as given. */
  data?: string | Record<string, unknown> | unknown[]
  /** An `ArrayBuffer` body, in base64. */
  base64?: string
  /** Omitted when empty. */
  header?: Record<string, string>
  timeout?: number
  dataType?: 'json' | 'text'
  responseType?: 'text' | 'arraybuffer'
}

/**
 * @throws {@link InvalidArgumentError} unless `url` is a URL the request
 * vocabulary accepts (absolute http(s), no spaces, no credentials).
 */
export function assertHttpUrl(url: unknown, what = 'url'): asserts url is string {
  assertRequestUrl(url, what)
}

function setBody(stored: StoredRequest, data: RequestData | undefined): void {
  if (data === undefined) return
  if (data instanceof ArrayBuffer) {
    stored.base64 = encodeBase64(data)
    return
  }
  if (typeof data === 'object' && data !== null) {
    // Checked here, not only when stored: a live send must not mangle what offline would refuse.
    toJsonText(data, 'data')
    stored.data = data
    return
  }
  if (typeof data === 'string') {
    stored.data = data
    return
  }
  throw new InvalidArgumentError(`data must be an object, an array, a string or an ArrayBuffer, got ${typeof data}`)
}

function normaliseMethod(method: unknown): HttpMethod {
  const upper = typeof method === 'string' ? method.toUpperCase() : method
  if (upper === undefined) return 'GET'
  if (!(METHODS as readonly unknown[]).includes(upper)) {
    throw new InvalidArgumentError(`method must be one of ${METHODS.join(', ')}, got ${JSON.stringify(method)}`)
  }
  return upper as HttpMethod
}

/** A request's own headers, checked against the request vocabulary; `{}` when absent. */
export function checkHeader(header: unknown, what = 'header'): Record<string, string> {
  return header === undefined ? {} : checkHeaderFields(header, what)
}

/** Drops secret headers unless `keepSecrets`: what is at rest carries no credentials. */
export function withoutSecrets(header: Record<string, string>, keepSecrets: boolean): Record<string, string> {
  if (keepSecrets) return { ...header }
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(header)) {
    // An own property even for a header named `__proto__`, as the spread above keeps it.
    if (!SECRET_HEADERS.includes(name.toLowerCase())) Object.defineProperty(kept, name, { value, enumerable: true, writable: true, configurable: true })
  }
  return kept
}

/**
 * Checks a request and turns it into its stored form. Throws
 * `InvalidArgumentError` (or `UnserializableError` for data JSON would not
 * bring back unchanged) before anything is written or sent.
 */
export function toStoredRequest(request: HttpRequest, keepSecrets: boolean): StoredRequest {
  if (typeof request !== 'object' || request === null) throw new InvalidArgumentError('request must be an object')
  assertHttpUrl(request.url)
  if (request.timeout !== undefined && !(Number.isFinite(request.timeout) && request.timeout > 0)) {
    throw new InvalidArgumentError('timeout must be a positive number of milliseconds')
  }
  const stored: StoredRequest = { url: request.url, method: normaliseMethod(request.method) }
  const header = withoutSecrets(checkHeader(request.header), keepSecrets)
  if (Object.keys(header).length > 0) stored.header = header
  setBody(stored, request.data)
  if (request.timeout !== undefined) stored.timeout = request.timeout
  if (request.dataType !== undefined) stored.dataType = request.dataType
  if (request.responseType !== undefined) stored.responseType = request.responseType
  return stored
}

/**
 * The request to send, with send-time headers (credentials, idempotency key)
 * laid over the stored ones. The URL was checked when the call was made (or,
 * for a reference, when it was resolved: `resolveStep`); here it is held
 * only to what every release accepted, so an entry stored by an older
 * release is still sent as it was.
 */
export function toHttpRequest(stored: StoredRequest, sendTimeHeaders: Record<string, string>): HttpRequest {
  // What releases before the shared vocabulary accepted at the call: still sent, never dead-lettered by an upgrade.
  if (typeof stored.url !== 'string' || !STORED_URL.test(stored.url)) {
    throw new InvalidArgumentError(`url must be an absolute http(s) URL, got ${JSON.stringify(stored.url)}`)
  }
  const request: HttpRequest = {
    url: stored.url,
    method: stored.method,
    header: { ...stored.header, ...sendTimeHeaders },
  }
  const data = stored.base64 !== undefined ? decodeBase64(stored.base64) : stored.data
  if (data !== undefined) request.data = data
  if (stored.timeout !== undefined) request.timeout = stored.timeout
  if (stored.dataType !== undefined) request.dataType = stored.dataType
  if (stored.responseType !== undefined) request.responseType = stored.responseType
  return request
}
