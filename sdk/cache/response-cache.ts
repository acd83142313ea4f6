import { QuotaExceededError, StoreCorruptedError } from '../errors'
import type { Clock, HttpResponse } from '../platform/platform'
import type { DurableStore } from '../store'
import { parseResponseKey, responseKey, type ResponseKey } from './cache-keys'
import { decodeResponse, encodeResponse, type CachedCopy, type StoredResponse } from './cached-response'
import { hash53 } from '../util/hash'
import type { LastUseLog } from './last-use-log'
import type { CacheExpiration } from './reader-options'

/**
 * The runtime cache: responses `get()` kept, in named caches with their
 * own expiration, inside the read side's store and budget. Every cached
 * response is disposable: when any write of the read side needs room, the
 * least recently used responses go first, and the outbox can ask for room
 * with {@link ResponseCache.freeSpace}.
 */
export class ResponseCache {
  /** By hash of cache name and key: what open learnt from key names. */
  private readonly entries = new Map<string, ResponseKey>()

  constructor(
    private readonly store: DurableStore,
    private readonly lastUse: LastUseLog,
    private readonly clock: Clock,
    private readonly expirations: ReadonlyMap<string, CacheExpiration>,
  ) {
    for (const storeKey of store.keys('r.')) {
      const entry = parseResponseKey(storeKey)
      if (entry) this.index(entry)
    }
  }

  /** The unexpired copy of `key` in `cacheName`, counted as a use; an expired one is deleted. */
  read(cacheName: string, key: string): CachedCopy | undefined {
    const entry = this.entries.get(hash53(`${cacheName}\n${key}`))
    if (!entry) return undefined
    if (this.isExpired(entry, this.clock.now())) {
      this.evict(entry)
      return undefined
    }
    let copy: CachedCopy | undefined
    try {
      copy = decodeResponse(key, this.store.get<StoredResponse>(entry.storeKey))
    } catch (error) {
      if (!(error instanceof StoreCorruptedError)) throw error
      this.evict(entry)
      return undefined
    }
    if (copy) this.lastUse.touch(entry.storeKey, this.clock.now())
    return copy
  }

  /**
   * Keeps a 2xx answer, then applies the cache's expiration. Never throws:
   * when no room can be made, the answer is simply not kept.
   *
   * @returns whether it was kept.
   */
  write(cacheName: string, key: string, response: HttpResponse): boolean {
    const now = this.clock.now()
    const hash = hash53(`${cacheName}\n${key}`)
    const entry = responseKey(cacheName, now, hash)
    try {
      this.putMakingRoom(entry.storeKey, encodeResponse(key, response, now))
    } catch {
      return false
    }
    const previous = this.entries.get(hash)
    this.entries.set(hash, entry)
    this.lastUse.touch(entry.storeKey, now)
    try {
      if (previous && previous.storeKey !== entry.storeKey) this.drop(previous)
      this.expire(cacheName, now)
    } catch {
      // The answer is kept; what could not be removed now is removed by a later write or open.
    }
    return true
  }

  /**
   * Puts a value of the read side, evicting least recently used responses
   * while the store or the device is full.
   *
   * @throws {@link QuotaExceededError} when even an empty runtime cache leaves too little room.
   */
  putMakingRoom(storeKey: string, value: unknown): void {
    let victims: ResponseKey[] | undefined
    for (;;) {
      try {
        this.store.put(storeKey, value)
        return
      } catch (error) {
        if (!(error instanceof QuotaExceededError) || error.requiredBytes > this.store.maxBytes) throw error
        victims ??= this.leastRecentlyUsedFirst().filter((entry) => entry.storeKey !== storeKey)
        // At least one eviction per round, so the loop always ends.
        const wanted = Math.max(1, error.requiredBytes - error.availableBytes)
        if (victims.length === 0 || this.evictFrom(victims, wanted) === 0) throw error
      }
    }
  }

  /**
   * Evicts least recently used responses until `bytes` are freed or none
   * is left. Precached responses and kept files are never touched.
   *
   * @returns the bytes freed (key names plus values, as storage counts them).
   */
  freeSpace(bytes: number): number {
    return this.evictFrom(this.leastRecentlyUsedFirst(), bytes)
  }

  private evictFrom(victims: ResponseKey[], bytes: number): number {
    let freed = 0
    while (freed < bytes && victims.length > 0) {
      const entry = victims.shift() as ResponseKey
      const size = this.store.bytesOf(entry.storeKey) ?? 0
      try {
        this.evict(entry)
      } catch {
        break
      }
      freed += size
    }
    return freed
  }

  private leastRecentlyUsedFirst(entries: Iterable<ResponseKey> = this.entries.values()): ResponseKey[] {
    const used = (entry: ResponseKey): number => this.lastUse.lastUsed(entry.storeKey, entry.writtenAt)
    return [...entries].sort((a, b) => used(a) - used(b))
  }

  /** Deletes the cache's expired entries, then its least recently used ones past `maxEntries`. */
  private expire(cacheName: string, now: number): void {
    const limits = this.expirations.get(cacheName)
    if (!limits) return
    const inCache = [...this.entries.values()].filter((entry) => entry.cacheName === cacheName)
    const live = inCache.filter((entry) => {
      if (!this.isExpired(entry, now)) return true
      this.evict(entry)
      return false
    })
    const excess = live.length - (limits.maxEntries ?? Infinity)
    if (excess > 0) for (const entry of this.leastRecentlyUsedFirst(live).slice(0, excess)) this.evict(entry)
  }

  private isExpired(entry: ResponseKey, now: number): boolean {
    const maxAgeSeconds = this.expirations.get(entry.cacheName)?.maxAgeSeconds
    return maxAgeSeconds !== undefined && now - entry.writtenAt > maxAgeSeconds * 1000
  }

  private evict(entry: ResponseKey): void {
    this.drop(entry)
    if (this.entries.get(entry.hash) === entry) this.entries.delete(entry.hash)
  }

  private drop(entry: ResponseKey): void {
    this.store.remove(entry.storeKey)
    this.lastUse.forget(entry.storeKey)
  }

  /** A crash between writing a newer copy and removing the older one leaves both: the newer wins. */
  private index(entry: ResponseKey): void {
    const other = this.entries.get(entry.hash)
    if (!other) {
      this.entries.set(entry.hash, entry)
      return
    }
    const [older, newer] = other.writtenAt <= entry.writtenAt ? [other, entry] : [entry, other]
    this.entries.set(entry.hash, newer)
    try {
      this.drop(older)
    } catch {
      // Left for the next open: the newer copy is the one indexed.
    }
  }
}
