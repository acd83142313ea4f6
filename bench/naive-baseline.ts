/**
 * COMPARISON BASELINE ONLY, not SDK code: the common way mini-programs keep
 * a collection, one storage key holding every value as a JSON object that
 * is rewritten in full on every put. Used by `store-bench.ts` to show what
 * the store's per-key layout saves.
 */
import type { PlatformStorage } from '../sdk/platform/platform'

export class NaiveSingleKeyStore {
  private readonly all: Record<string, unknown>

  constructor(private readonly storage: PlatformStorage, private readonly key: string) {
    // "Opening" means reading and parsing the whole collection.
    const stored = storage.get(key)
    this.all = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {}
  }

  put(key: string, value: unknown): void {
    this.all[key] = value
    this.storage.set(this.key, this.all)
  }

  /** Fills the collection with one write, to set up large benches quickly. */
  putMany(entries: ReadonlyArray<[string, unknown]>): void {
    for (const [key, value] of entries) this.all[key] = value
    this.storage.set(this.key, this.all)
  }

  get(key: string): unknown {
    return this.all[key]
  }
}
