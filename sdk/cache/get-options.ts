import { InvalidArgumentError } from '../errors'
import type { HttpRequest } from '../platform/platform'
import { checkHeaderFields } from '../queue/request-vocabulary'
import { assertHttpUrl, canonicalUrl } from './http-url'
import { assertCacheName, assertStrategy, DEFAULT_CACHE_NAME, type ReadStrategy } from './reader-options'

/** Options of `offline.get()`: a GET `wx.request`, plus how to use the cache. */
export interface GetOptions {
  /** Absolute http(s) URL. */
  url: string
  /** Becomes the query string, as `wx.request` does for GET; part of the cache key. */
  data?: string | Record<string, unknown>
  header?: Record<string, string>
  /** Milliseconds the request may take (the runtime's default is 60000). */
  timeout?: number
  dataType?: 'json' | 'text'
  responseType?: 'text' | 'arraybuffer'
  /** Default: the reader's `strategy` option, itself `'networkFirst'` by default. */
  strategy?: ReadStrategy
  /**
   * `networkFirst` only: after this many seconds without an answer, serve
   * the cached copy (if any) and let the network answer refresh the cache
   * when it comes.
   */
  networkTimeoutSeconds?: number
  /** Which cache (and expiration) the copy lives in. Default `'default'`. */
  cacheName?: string
  /**
   * The cache key, or a function from the canonical URL (query sorted,
   * `data` included) to the key: use it to drop volatile parameters, e.g.
   * `(url) => url.replace(/([?&])_t=[^&]*&?/, '$1')`.
   */
  cacheKey?: string | ((url: string) => string)
}

/** Where a `get()` answer came from. */
export type ReadSource = 'network' | 'cache' | 'precache' | 'fallback'

/** What `offline.get()` resolves with. */
export interface GetResult<T = unknown> {
  data: T
  statusCode: number
  header: Record<string, string>
  /** `'cache'`: the runtime cache; `'precache'`: the manifest's current version; `'fallback'`: a manifest fallback. */
  source: ReadSource
  /** True unless `source` is `'network'`. */
  fromCache: boolean
  /** When the copy was stored (ms since the epoch); absent for network answers. */
  cachedAt?: number
  /**
   * True when the network was tried (or is being tried in the background,
   * as with `staleWhileRevalidate`) and this copy may be older than the
   * server's: show an "offline data" hint.
   */
  stale: boolean
}

/** A checked `get()`: what to send and where it is cached. */
export interface ResolvedGet {
  request: HttpRequest
  /** The canonical URL (query sorted, `data` included). */
  url: string
  /** The cache key: `cacheKey`, or the canonical URL with non-default decodings marked. */
  key: string
  strategy: ReadStrategy
  cacheName: string
  networkTimeoutMs: number | undefined
}

function optionalIn<T extends string>(value: unknown, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined
  throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`)
}

/** The same header rules as writes: token names, string values without CR or LF. */
function checkHeader(header: unknown): Record<string, string> | undefined {
  return header === undefined ? undefined : checkHeaderFields(header, 'header')
}

function checkData(data: unknown): GetOptions['data'] {
  if (data === undefined || typeof data === 'string') return data
  if (typeof data === 'object' && data !== null && Object.getPrototypeOf(data) === Object.prototype) return data as Record<string, unknown>
  throw new InvalidArgumentError('data of a GET must be a string or a plain object (it becomes the query string)')
}

function keyFrom(cacheKey: unknown, url: string, options: Pick<GetOptions, 'dataType' | 'responseType'>): string {
  let key: unknown = cacheKey
  if (typeof cacheKey === 'function') key = (cacheKey as (url: string) => unknown)(url)
  else if (cacheKey === undefined) {
    // The same URL decoded differently is a different copy.
    const decoding = options.responseType === 'arraybuffer' ? ' #arraybuffer' : options.dataType === 'text' ? ' #text' : ''
    key = `${url}${decoding}`
  }
  if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('cacheKey must be (or return) a non-empty string')
  return key
}

/**
 * Checks `get()` options before anything is sent or read.
 * @throws {@link InvalidArgumentError} for a non-http(s) URL, an unknown strategy or any bad option.
 */
export function resolveGet(options: unknown, defaultStrategy: ReadStrategy): ResolvedGet {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('get() needs options with a url')
  const given = options as GetOptions & { method?: unknown }
  const parsed = assertHttpUrl(given.url, 'url')
  if (given.method !== undefined && given.method !== 'GET') throw new InvalidArgumentError(`get() only sends GET; use request() for ${String(given.method)}`)
  const strategy = given.strategy ?? defaultStrategy
  assertStrategy(strategy)
  const cacheName = given.cacheName ?? DEFAULT_CACHE_NAME
  assertCacheName(cacheName)
  const { networkTimeoutSeconds, timeout } = given
  if (networkTimeoutSeconds !== undefined) {
    if (strategy !== 'networkFirst') throw new InvalidArgumentError('networkTimeoutSeconds only applies to networkFirst')
    if (!(typeof networkTimeoutSeconds === 'number' && networkTimeoutSeconds > 0 && Number.isFinite(networkTimeoutSeconds))) {
      throw new InvalidArgumentError(`networkTimeoutSeconds must be a positive number, got ${String(networkTimeoutSeconds)}`)
    }
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new InvalidArgumentError(`timeout must be a positive number of milliseconds, got ${String(timeout)}`)
  }
  const data = checkData(given.data)
  const dataType = optionalIn(given.dataType, ['json', 'text'] as const, 'dataType')
  const responseType = optionalIn(given.responseType, ['text', 'arraybuffer'] as const, 'responseType')
  const request: HttpRequest = { url: given.url, method: 'GET' }
  if (data !== undefined) request.data = data
  const header = checkHeader(given.header)
  if (header) request.header = header
  if (timeout !== undefined) request.timeout = timeout
  if (dataType) request.dataType = dataType
  if (responseType) request.responseType = responseType
  const url = canonicalUrl(parsed, data)
  return {
    request,
    url,
    key: keyFrom(given.cacheKey, url, { dataType, responseType }),
    strategy,
    cacheName,
    networkTimeoutMs: networkTimeoutSeconds === undefined ? undefined : networkTimeoutSeconds * 1000,
  }
}
