import type { HttpResponse } from '../platform/platform'
import { decodeBase64, encodeBase64 } from '../util/base64'

/** A response as the store keeps it (short field names: every byte counts against the budget). */
export interface StoredResponse {
  /** The full cache key, checked on read: store keys carry only its hash. */
  k: string
  s: number
  h: Record<string, string>
  d: unknown
  /** 1 when `d` is an ArrayBuffer in base64. */
  b?: 1
  /** When it was stored, ms since the epoch. */
  t: number
}

/** A copy read back from the store. */
export interface CachedCopy {
  response: HttpResponse
  cachedAt: number
}

/** Never kept: hop-by-hop headers mean nothing later, and cookies must not sit in storage. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie'])

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

/** Whether an answer may be cached: only 2xx. */
export function isCacheable(response: HttpResponse): boolean {
  return response.statusCode >= 200 && response.statusCode < 300
}

/** What the store keeps of an answer: cookies and hop-by-hop headers dropped, bytes as base64. */
export function encodeResponse(key: string, response: HttpResponse, now: number): StoredResponse {
  const header: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.header)) if (!DROPPED_HEADERS.has(name.toLowerCase())) header[name] = value
  const stored: StoredResponse = { k: key, s: response.statusCode, h: header, d: response.data, t: now }
  if (isArrayBuffer(response.data)) {
    stored.d = encodeBase64(response.data)
    stored.b = 1
  }
  return stored
}

/** The copy, or `undefined` when the record belongs to another key (a hash collision) or is not ours. */
export function decodeResponse(key: string, stored: StoredResponse | undefined): CachedCopy | undefined {
  if (!stored || stored.k !== key || typeof stored.s !== 'number' || typeof stored.t !== 'number') return undefined
  const data = stored.b === 1 && typeof stored.d === 'string' ? decodeBase64(stored.d) : stored.d
  return { response: { statusCode: stored.s, header: { ...stored.h }, data }, cachedAt: stored.t }
}
