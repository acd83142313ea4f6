import { InvalidArgumentError } from '../errors'
import type { HttpMethod, HttpRequest, RequestData } from '../platform/platform'
import { toJsonText } from '../store'
import { decodeBase64, encodeBase64 } from '../util/base64'
import type { StepReference } from './step-reference'

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']

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

export function assertHttpUrl(url: unknown, what = 'url'): asserts url is string {
  if (typeof url !== 'string' || !/^https?:\/\/[^/\s]+/i.test(url)) {
    throw new InvalidArgumentError(`${what} must be an absolute http(s) URL, got ${JSON.stringify(url)}`)
  }
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

export function checkHeader(header: unknown): Record<string, string> {
  if (header === undefined) return {}
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InvalidArgumentError('header must be an object of strings')
  }
  for (const [name, value] of Object.entries(header)) {
    if (typeof value !== 'string') throw new InvalidArgumentError(`header "${name}" must be a string`)
  }
  return header as Record<string, string>
}

/** Drops secret headers unless `keepSecrets`: what is at rest carries no credentials. */
export function withoutSecrets(header: Record<string, string>, keepSecrets: boolean): Record<string, string> {
  if (keepSecrets) return { ...header }
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(header)) {
    if (!SECRET_HEADERS.includes(name.toLowerCase())) kept[name] = value
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

/** The request to send, with send-time headers (credentials, idempotency key) laid over the stored ones. */
export function toHttpRequest(stored: StoredRequest, sendTimeHeaders: Record<string, string>): HttpRequest {
  // References are resolved before sending; what is left must be a real URL.
  assertHttpUrl(stored.url)
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
