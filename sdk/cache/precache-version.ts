import { StoreCorruptedError } from '../errors'
import type { DurableStore } from '../store'
import type { CacheFolder } from './cache-folder'
import { precachedKey } from './cache-keys'
import { decodeResponse, type CachedCopy, type StoredResponse } from './cached-response'
import { hash53 } from '../util/hash'
import { UrlPattern } from './url-pattern'

/** One kept resource: `[canonical URL, 'r' (response) | 'f' (file), file bytes, file extension]`. */
export type StoredResource = [key: string, kind: 'r' | 'f', bytes: number, extension: string]

/**
 * A precache version as stored under key `m`. Writing this one value is
 * the swap: the version it names becomes the one served, whole.
 */
export interface StoredVersion {
  /** The manifest's version. */
  v: string
  /** Where its resources are: store keys `m.<slot>.*`, folder `precache-<slot>`. */
  s: number
  /** When it was installed, ms since the epoch. */
  t: number
  r: StoredResource[]
  /** NETWORK patterns. */
  n: string[]
  /** FALLBACK: `[pattern, canonical URL of the fallback]`. */
  f: Array<[pattern: string, fallback: string]>
}

function isStoredVersion(value: unknown): value is StoredVersion {
  const stored = value as Partial<StoredVersion> | undefined
  return (
    typeof stored === 'object' &&
    stored !== null &&
    typeof stored.v === 'string' &&
    Number.isSafeInteger(stored.s) &&
    typeof stored.t === 'number' &&
    Array.isArray(stored.r) &&
    Array.isArray(stored.n) &&
    Array.isArray(stored.f)
  )
}

/** The served precache version: what it holds and where, looked up by canonical URL. */
export class PrecacheVersion {
  readonly version: string
  readonly slot: number
  /** Bytes its files take in the file budget. */
  readonly fileBytes: number
  private readonly resources = new Map<string, StoredResource>()
  private readonly network: UrlPattern[]
  private readonly fallbacks: Array<{ pattern: UrlPattern; key: string }>

  constructor(stored: StoredVersion) {
    this.version = stored.v
    this.slot = stored.s
    let fileBytes = 0
    for (const resource of stored.r) {
      this.resources.set(resource[0], resource)
      if (resource[1] === 'f') fileBytes += resource[2]
    }
    this.fileBytes = fileBytes
    this.network = stored.n.map((pattern) => new UrlPattern(pattern))
    this.fallbacks = stored.f.map(([pattern, key]) => ({ pattern: new UrlPattern(pattern), key }))
  }

  /** The version a store holds, or `undefined` when none (or an unreadable one, which is then ignored). */
  static load(store: DurableStore, pointerKey: string): PrecacheVersion | undefined {
    try {
      const stored = store.get(pointerKey)
      return isStoredVersion(stored) ? new PrecacheVersion(stored) : undefined
    } catch (error) {
      if (error instanceof StoreCorruptedError) return undefined
      throw error
    }
  }

  /** The kept response for `key`, or `undefined` when the version has none. */
  response(store: DurableStore, key: string): CachedCopy | undefined {
    const resource = this.resources.get(key)
    if (resource?.[1] !== 'r') return undefined
    try {
      return decodeResponse(key, store.get<StoredResponse>(precachedKey(this.slot, hash53(key))))
    } catch (error) {
      if (error instanceof StoreCorruptedError) return undefined
      throw error
    }
  }

  /** The kept file for `key`, or `undefined` when the version has none. */
  filePath(folder: CacheFolder, key: string): string | undefined {
    const resource = this.resources.get(key)
    return resource?.[1] === 'f' ? `${folder.precache(this.slot)}/${precachedFileName(key, resource[3])}` : undefined
  }

  /** Whether a NETWORK pattern says never to cache `url`. */
  isNetworkOnly(url: string): boolean {
    return this.network.some((pattern) => pattern.matches(url))
  }

  /** The canonical URL of the fallback for `url`, if a FALLBACK pattern covers it. */
  fallbackFor(url: string): string | undefined {
    return this.fallbacks.find(({ pattern }) => pattern.matches(url))?.key
  }
}

/** The name of a precached file in its version's folder. */
export function precachedFileName(key: string, extension: string): string {
  return `${hash53(key)}.${extension}`
}
