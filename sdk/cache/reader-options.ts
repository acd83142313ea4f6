import { InvalidArgumentError, TransportError } from '../errors'
import { checkHeaderFields } from '../queue/request-vocabulary'
import { providedHeaders, providerFailure, type HeadersProvider } from '../queue/headers-provider'
import type { ManifestSource } from './manifest-document'

const MIB = 1024 * 1024

/**
 * Default budget of cached responses: 2 MiB of WeChat's 10 MB, beside the
 * outbox's 6 MiB, leaving the host app about 2 MB.
 */
export const DEFAULT_CACHE_MAX_BYTES = 2 * MIB
/** Default budget of kept files (images, precached files): 50 MiB of the 200 MB WeChat gives an app. */
export const DEFAULT_MAX_FILE_BYTES = 50 * MIB
/** The cache `get()` uses when no `cacheName` is given. */
export const DEFAULT_CACHE_NAME = 'default'

/** How `get()` chooses between the network and the cache. */
export type ReadStrategy = 'networkFirst' | 'cacheFirst' | 'staleWhileRevalidate' | 'networkOnly' | 'cacheOnly'

/** Every {@link ReadStrategy}, for checks and docs. */
export const READ_STRATEGIES: readonly ReadStrategy[] = ['networkFirst', 'cacheFirst', 'staleWhileRevalidate', 'networkOnly', 'cacheOnly']

/** Limits of one named cache (Workbox's `ExpirationPlugin`). */
export interface CacheExpiration {
  /** A copy older than this is deleted and never served, even offline. */
  maxAgeSeconds?: number
  /** Past this many entries, the least recently used go first. */
  maxEntries?: number
}

/** Headers for every network call of the read side, or a function giving them at call time. */
export type ReadHeaders = HeadersProvider

/** Options of the read side (`offline.get`, `offline.image`, `offline.manifest`). */
export interface OfflineReaderOptions {
  /** UTF-8 bytes cached responses and precached responses may take in storage. Default 2 MiB. */
  maxBytes?: number
  /** Bytes kept image and precached files may take under `USER_DATA_PATH`. Default 50 MiB. */
  maxFileBytes?: number
  /** Expiration per cache name, e.g. `{ customers: { maxAgeSeconds: 86400, maxEntries: 50 } }`. */
  caches?: Record<string, CacheExpiration>
  /** The strategy of a `get()` that names none. Default `'networkFirst'`. */
  strategy?: ReadStrategy
  /** Added to every read request, image download and manifest download. */
  headers?: ReadHeaders
  /** A precache manifest to check at start, as `offline.manifest(source)` would. */
  manifest?: ManifestSource
}

/** Options with defaults applied. */
export interface ResolvedReaderOptions {
  maxBytes: number
  maxFileBytes: number
  caches: ReadonlyMap<string, CacheExpiration>
  strategy: ReadStrategy
  headers: ReadHeaders | undefined
  manifest: ManifestSource | undefined
}

const CACHE_NAME = /^[A-Za-z0-9_-]{1,32}$/

/** @throws {@link InvalidArgumentError} unless `name` is 1 to 32 letters, digits, `_` or `-`. */
export function assertCacheName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !CACHE_NAME.test(name)) {
    throw new InvalidArgumentError(`cacheName must be 1 to 32 letters, digits, "_" or "-", got ${JSON.stringify(name) ?? String(name)}`)
  }
}

/** @throws {@link InvalidArgumentError} unless `strategy` is a {@link ReadStrategy}. */
export function assertStrategy(strategy: unknown): asserts strategy is ReadStrategy {
  if (!READ_STRATEGIES.includes(strategy as ReadStrategy)) {
    throw new InvalidArgumentError(`strategy must be one of ${READ_STRATEGIES.join(', ')}; got ${JSON.stringify(strategy) ?? String(strategy)}`)
  }
}

function positiveInteger(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what} must be a positive integer, got ${String(value)}`)
  }
  return value
}

function expiration(name: string, value: unknown): CacheExpiration {
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(`caches.${name} must be an object`)
  const { maxAgeSeconds, maxEntries } = value as CacheExpiration
  if (maxAgeSeconds !== undefined && !(typeof maxAgeSeconds === 'number' && maxAgeSeconds > 0 && Number.isFinite(maxAgeSeconds))) {
    throw new InvalidArgumentError(`caches.${name}.maxAgeSeconds must be a positive number, got ${String(maxAgeSeconds)}`)
  }
  return { maxAgeSeconds, maxEntries: positiveInteger(maxEntries, `caches.${name}.maxEntries`) }
}

/** @throws {@link InvalidArgumentError} for a bad option. */
export function resolveReaderOptions(options: unknown): ResolvedReaderOptions {
  if (options === undefined) options = {}
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('reader options must be an object')
  const { maxBytes, maxFileBytes, caches = {}, strategy = 'networkFirst', headers, manifest } = options as OfflineReaderOptions
  if (typeof caches !== 'object' || caches === null) throw new InvalidArgumentError('caches must be an object of cache names')
  const limits = new Map<string, CacheExpiration>()
  for (const [name, value] of Object.entries(caches)) {
    assertCacheName(name)
    limits.set(name, expiration(name, value))
  }
  assertStrategy(strategy)
  if (headers !== undefined && typeof headers !== 'function') {
    if (typeof headers !== 'object' || headers === null) throw new InvalidArgumentError('headers must be an object or a function returning one')
    checkHeaderFields(headers, 'headers')
  }
  return {
    maxBytes: positiveInteger(maxBytes, 'maxBytes') ?? DEFAULT_CACHE_MAX_BYTES,
    maxFileBytes: positiveInteger(maxFileBytes, 'maxFileBytes') ?? DEFAULT_MAX_FILE_BYTES,
    caches: limits,
    strategy,
    headers,
    manifest,
  }
}

/**
 * The headers to send now: the provider's, then the call's own. A provider's
 * answer is held to the same header rules as headers given at the call.
 * @throws {@link InvalidArgumentError} when the provider gives a bad header.
 */
export async function headersFor(provider: ReadHeaders | undefined, own?: Record<string, string>): Promise<Record<string, string>> {
  return { ...(await headersOfProvider(provider)), ...own }
}

/**
 * The app's provider, called for one read. When it throws (a token store not
 * ready yet) nothing can be sent, as when the network fails: the read falls
 * back to a kept copy where its strategy allows, else rejects with a typed
 * {@link TransportError}, never with the app's raw error.
 */
async function headersOfProvider(provider: ReadHeaders | undefined): Promise<Record<string, string>> {
  try {
    return await providedHeaders(provider)
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error
    throw new TransportError(providerFailure(error))
  }
}
