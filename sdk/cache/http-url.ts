import type { RequestData } from '../platform/platform'
import { assertRequestUrl, parseRequestUrl, type RequestUrl } from '../queue/request-vocabulary'
import { wxQueryString } from '../util/query-string'

/**
 * Absolute http(s) URLs as the cache keys them. What a URL may be is the
 * request vocabulary's call (`queue/request-vocabulary.ts`), the same one
 * writes use: no spaces, no control characters, no credentials.
 */

/** The parts of an absolute http(s) URL the cache cares about. */
export interface HttpUrl {
  /** Lower-case scheme and host, default port dropped: `https://api.example.com`. */
  origin: string
  /** `/` when empty. */
  path: string
  /** Without the `?`; `''` when none. */
  query: string
}

const DEFAULT_PORT: Record<RequestUrl['scheme'], string> = { http: '80', https: '443' }

function toHttpUrl(url: RequestUrl): HttpUrl {
  const port = url.port === '' || url.port === DEFAULT_PORT[url.scheme] ? '' : `:${url.port}`
  return { origin: `${url.scheme}://${url.host.toLowerCase()}${port}`, path: url.path === '' ? '/' : url.path, query: url.query }
}

/** Parses an absolute http(s) URL the request vocabulary accepts; `undefined` for anything else. */
export function parseHttpUrl(url: unknown): HttpUrl | undefined {
  const parsed = parseRequestUrl(url)
  return parsed ? toHttpUrl(parsed) : undefined
}

/** @throws `InvalidArgumentError` unless the request vocabulary accepts `url`. */
export function assertHttpUrl(url: unknown, what: string): HttpUrl {
  return toHttpUrl(assertRequestUrl(url, what))
}

/** GET `data` as the query string `wx.request` appends: objects as JSON, `undefined` skipped. */
function dataQuery(data: RequestData | undefined): string {
  if (typeof data === 'string') return data
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof ArrayBuffer) return ''
  return wxQueryString(data as Record<string, unknown>)
}

/**
 * The canonical form of a GET: origin, path, and the query (the URL's own
 * plus `data`) sorted by parameter name, so `?a=1&b=2` and `?b=2&a=1` share
 * a cache entry. The fragment is dropped, as the server never sees it.
 */
export function canonicalUrl(url: HttpUrl, data?: RequestData): string {
  const params = [...url.query.split('&'), ...dataQuery(data).split('&')].filter((param) => param !== '')
  // Stable: values of a repeated parameter keep their order.
  params.sort((a, b) => compare(a.split('=')[0], b.split('=')[0]))
  return `${url.origin}${url.path}${params.length > 0 ? `?${params.join('&')}` : ''}`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Resolves a manifest entry against the manifest's own URL, as AppCache
 * resolves relative URIs against the manifest: absolute, `//host/...`,
 * `/path` and `path` forms. `undefined` when it cannot become http(s).
 */
export function resolveUrl(reference: string, base: HttpUrl | undefined): string | undefined {
  if (parseHttpUrl(reference)) return reference
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(reference)) return undefined
  const resolved = resolveAgainst(reference, base)
  // A relative reference is held to the same rules once it is absolute.
  return parseHttpUrl(resolved) ? resolved : undefined
}

function resolveAgainst(reference: string, base: HttpUrl): string {
  if (reference.startsWith('//')) return `${base.origin.split('//')[0]}${reference}`
  if (reference.startsWith('/')) return `${base.origin}${reference}`
  const directory = base.path.slice(0, base.path.lastIndexOf('/') + 1)
  return `${base.origin}${normalisePath(directory + reference)}`
}

/** Applies `.` and `..` segments (the query, if any, rides along in the last one). */
function normalisePath(path: string): string {
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '.') continue
    if (segment === '..') {
      if (out.length > 1) out.pop()
      continue
    }
    out.push(segment)
  }
  return out.join('/')
}

/** The extension of the URL's last path segment, lower case, or `''`. */
export function urlExtension(url: string): string {
  const parsed = parseHttpUrl(url)
  const last = parsed ? parsed.path.slice(parsed.path.lastIndexOf('/') + 1) : ''
  const dot = last.lastIndexOf('.')
  const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : ''
  return /^[a-z0-9]{1,8}$/.test(extension) ? extension : ''
}
