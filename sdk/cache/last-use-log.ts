import type { DurableStore } from '../store'
import { LAST_USE_KEY } from './cache-keys'

/**
 * When each cached response or kept file was last read, for least-recently-
 * used eviction. Reads only update memory: a read never writes storage.
 * The times are saved as one small record when the app goes to the
 * background and on close, so LRU order survives a normal restart; after a
 * kill, the reads since the last save are lost and write times (carried by
 * every key's name) stand in for them.
 */
export class LastUseLog {
  private readonly times = new Map<string, number>()
  private dirty = false

  constructor(private readonly store: DurableStore) {
    this.load()
  }

  /** The last read of `storeKey`, or its write time when it was never read since. */
  lastUsed(storeKey: string, writtenAt: number): number {
    return Math.max(this.times.get(storeKey) ?? 0, writtenAt)
  }

  touch(storeKey: string, now: number): void {
    this.times.set(storeKey, now)
    this.dirty = true
  }

  forget(storeKey: string): void {
    if (this.times.delete(storeKey)) this.dirty = true
  }

  /** Writes the times if any changed. Best effort: a failure only costs LRU precision. */
  save(): void {
    if (!this.dirty) return
    try {
      this.store.put(LAST_USE_KEY, Object.fromEntries(this.times))
      this.dirty = false
    } catch {
      // Keep them dirty: the next save tries again.
    }
  }

  private load(): void {
    try {
      const saved = this.store.get<Record<string, unknown>>(LAST_USE_KEY)
      if (typeof saved !== 'object' || saved === null) return
      for (const [storeKey, time] of Object.entries(saved)) {
        // Entries evicted or rewritten since the save are dropped.
        if (typeof time === 'number' && this.store.has(storeKey)) this.times.set(storeKey, time)
      }
    } catch {
      // An unreadable record only costs LRU precision: write times stand in.
    }
  }
}
