import { dedupeTag, entryKey, laneTag, parseEntryKey, queuePrefix, type EntryLocation } from './entry-key'
import { StoreCorruptedError } from '../errors'
import { decodeEntry, encodeEntry, type StoredEntry } from './entry-codec'
import type { OutboxEntry } from './outbox-entry'

/** What the outbox needs from the durable store. */
export interface OutboxStore {
  get<T>(key: string): T | undefined
  has(key: string): boolean
  put(key: string, value: unknown, options?: { replacing?: string }): void
  remove(key: string): void
  keys(prefix?: string, order?: 'sorted' | 'any'): string[]
}

/** What the outbox tells its owner. */
export interface OutboxHooks {
  /** An entry left storage for good (sent, discarded, expired, superseded, cleared): release its files. */
  onRemoved?: (id: string) => void
  /** An entry's stored data was not what the SDK wrote; it is left in storage, out of the queue. */
  onCorrupted?: (id: string, error: StoreCorruptedError) => void
  /** Entries whose data vanished from storage behind the SDK's back (the host app wiped it). */
  onLost?: (ids: string[]) => void
}

/** Where an entry is, as the in-memory index knows it (no body). */
export interface IndexedEntry extends EntryLocation {
  key: string
}

/** The newest entry of a dedupe group, with its dedupe key when known without a read. */
interface DedupeNewest {
  id: string
  seq: number
  dedupeKey?: string
}

/** Inserts keeping `list` sorted by seq (entries mostly arrive at either end). */
function insertBySeq(list: IndexedEntry[], entry: IndexedEntry): void {
  if (list.length === 0 || list[list.length - 1].seq < entry.seq) {
    list.push(entry)
    return
  }
  let index = list.length
  while (index > 0 && list[index - 1].seq > entry.seq) index -= 1
  list.splice(index, 0, entry)
}

function removeFrom(list: IndexedEntry[], id: string): void {
  const index = list.findIndex((entry) => entry.id === id)
  if (index >= 0) list.splice(index, 1)
}

/**
 * The durable outbox of one queue: entries in order, per lane, pending or
 * dead-lettered.
 *
 * Guarantees:
 * - a push is one write, whatever the backlog or the entry's options (the
 *   dedupe group is in the key name, so no pointer is written);
 * - every other change writes one entry (and, for a state change, removes
 *   its old key); nothing else is rewritten;
 * - opening lists keys and reads no body.
 */
export class Outbox {
  private readonly byId = new Map<string, IndexedEntry>()
  /** Pending entries of each lane (by lane tag), oldest first. */
  private readonly lanes = new Map<string, IndexedEntry[]>()
  /**
   * The newest entry of each dedupe group. It stays after that entry is
   * sent, so an older one retried later is still known to be superseded.
   */
  private readonly newestByDedupe = new Map<string, DedupeNewest>()
  private minSeq = 0
  private maxSeq = -1
  private dead = 0

  constructor(
    private readonly store: OutboxStore,
    readonly queue: string,
    private readonly hooks: OutboxHooks = {},
  ) {
    this.load()
  }

  /** Pending entries (not dead letters). */
  get pendingCount(): number {
    return this.byId.size - this.deadCount
  }

  get deadCount(): number {
    return this.dead
  }

  get size(): number {
    return this.byId.size
  }

  /** Every entry, oldest first; dead letters included. */
  all(): IndexedEntry[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq)
  }

  /** The lane id of a lane name, as {@link lane} and {@link laneIds} use it. */
  laneIdOf(lane: string): string {
    return laneTag(lane)
  }

  /** Pending entries of one lane, oldest first. */
  lane(laneId: string): readonly IndexedEntry[] {
    return this.lanes.get(laneId) ?? []
  }

  /** Lanes with pending entries. */
  laneIds(): string[] {
    return [...this.lanes.keys()].filter((lane) => this.lane(lane).length > 0)
  }

  /** Whether a lane holds a dead letter; from the index, without sorting or reading. */
  hasDeadLetterIn(laneId: string): boolean {
    if (this.dead === 0) return false
    for (const entry of this.byId.values()) if (entry.state === 'deadLetter' && entry.laneTag === laneId) return true
    return false
  }

  locate(id: string): IndexedEntry | undefined {
    return this.byId.get(id)
  }

  /**
   * The entry's body, or `undefined` when it is gone. An entry whose stored
   * data is not what the SDK wrote is set aside (left untouched in storage,
   * dropped from the index) and reported, so one bad record cannot stop a lane.
   */
  read(id: string): OutboxEntry | undefined {
    const location = this.byId.get(id)
    if (!location) return undefined
    try {
      const stored = this.store.get<StoredEntry>(location.key)
      if (stored === undefined) {
        this.forget([location])
        return undefined
      }
      return decodeEntry(stored, location)
    } catch (error) {
      if (!(error instanceof StoreCorruptedError)) throw error
      this.unindex(location)
      this.hooks.onCorrupted?.(id, error)
      return undefined
    }
  }

  /**
   * Stores a new entry at the back (or the front) of the queue: one write.
   * Returns the id of the entry of the same dedupe group it makes older, if
   * one is still stored (the caller decides whether to remove it).
   */
  add(entry: OutboxEntry, position: 'back' | 'front' = 'back'): { replaced?: string } {
    const seq = position === 'back' ? this.maxSeq + 1 : this.minSeq - 1
    const location: EntryLocation = {
      state: 'pending',
      seq,
      acceptedAt: entry.acceptedAt,
      id: entry.id,
      laneTag: laneTag(entry.lane),
      dedupeTag: dedupeTag(entry.dedupeKey),
    }
    const key = entryKey(queuePrefix(this.queue), location)
    this.store.put(key, encodeEntry(entry))
    this.index({ ...location, key })
    if (entry.dedupeKey === undefined) return {}
    const previous = this.newestByDedupe.get(location.dedupeTag)
    this.newestByDedupe.set(location.dedupeTag, { id: entry.id, seq, dedupeKey: entry.dedupeKey })
    return previous && this.byId.has(previous.id) ? { replaced: previous.id } : {}
  }

  /**
   * Whether a newer entry with the same `dedupeKey` was accepted after this
   * one, still stored or already gone (sent while this one was in flight).
   * The group is a hash, so the newer entry's key is compared when known; a
   * read happens only when it is not (after a restart), and only on this
   * rare path.
   */
  isSuperseded(entry: OutboxEntry): boolean {
    if (entry.dedupeKey === undefined) return false
    const newest = this.newestByDedupe.get(dedupeTag(entry.dedupeKey))
    if (!newest || newest.id === entry.id) return false
    if (newest.dedupeKey === undefined && this.byId.has(newest.id)) newest.dedupeKey = this.read(newest.id)?.dedupeKey
    return newest.dedupeKey === undefined || newest.dedupeKey === entry.dedupeKey
  }

  /** Rewrites an entry's body in place (attempts, last error, next attempt); a removed entry stays removed. */
  update(entry: OutboxEntry): void {
    const location = this.byId.get(entry.id)
    if (!location) return
    this.store.put(location.key, encodeEntry(entry))
  }

  /** Removes an entry for good (sent, discarded, expired or superseded): one write. */
  remove(entry: Pick<OutboxEntry, 'id'>): void {
    const location = this.byId.get(entry.id)
    if (!location) return
    this.store.remove(location.key)
    this.unindex(location)
    this.hooks.onRemoved?.(entry.id)
  }

  /**
   * Moves an entry to the dead letters. The dead copy is written (same seq)
   * before the pending one is removed; a crash between leaves both, and
   * opening keeps the dead one.
   */
  deadLetter(entry: OutboxEntry): void {
    const location = this.byId.get(entry.id)
    if (!location || location.state === 'deadLetter') return
    const dead: EntryLocation = { ...location, state: 'deadLetter' }
    const key = entryKey(queuePrefix(this.queue), dead)
    this.store.put(key, encodeEntry(entry), { replacing: location.key })
    this.store.remove(location.key)
    this.unindex(location)
    this.index({ ...dead, key })
  }

  /**
   * Puts a dead letter back at the end of its lane with a fresh attempt
   * count, under `idempotencyKey`. The pending copy gets a higher seq, so
   * after a crash between the two writes, opening keeps it.
   */
  revive(id: string, idempotencyKey: string): OutboxEntry | undefined {
    const location = this.byId.get(id)
    if (!location || location.state !== 'deadLetter') return undefined
    const entry = this.read(id)
    if (!entry) return undefined
    const revived: OutboxEntry = { ...entry, attempts: 0, idempotencyKey }
    delete revived.deadLetter
    delete revived.nextAttemptAt
    const pending: EntryLocation = { ...location, state: 'pending', seq: this.maxSeq + 1 }
    const key = entryKey(queuePrefix(this.queue), pending)
    this.store.put(key, encodeEntry(revived), { replacing: location.key })
    this.store.remove(location.key)
    this.unindex(location)
    this.index({ ...pending, key })
    return revived
  }

  /**
   * Forgets entries whose data the store no longer has (storage was wiped
   * behind its back and the store re-measured), telling `onLost`.
   */
  forgetMissing(): void {
    this.forget([...this.byId.values()].filter((location) => !this.store.has(location.key)))
  }

  private forget(lost: IndexedEntry[]): void {
    if (lost.length === 0) return
    for (const location of lost) this.unindex(location)
    this.hooks.onLost?.(lost.map((location) => location.id))
  }

  /** Removes every entry of this queue; returns their ids. */
  clear(): string[] {
    for (const key of this.store.keys(queuePrefix(this.queue))) this.store.remove(key)
    const ids = [...this.byId.keys()]
    this.byId.clear()
    this.lanes.clear()
    this.newestByDedupe.clear()
    this.dead = 0
    ids.forEach((id) => this.hooks.onRemoved?.(id))
    return ids
  }

  private load(): void {
    const prefix = queuePrefix(this.queue)
    const found: IndexedEntry[] = []
    for (const key of this.store.keys(prefix, 'any')) {
      const entry = parseEntryKey(prefix, key)
      if (entry) found.push(entry)
    }
    // In seq order (storage lists them nearly so), so every lane is built by appending.
    found.sort((a, b) => a.seq - b.seq)
    for (const entry of found) this.loadOne(entry)
    // Seq order again: the last of each group is its newest.
    for (const entry of this.byId.values()) {
      if (entry.dedupeTag === '') continue
      const newest = this.newestByDedupe.get(entry.dedupeTag)
      if (!newest || newest.seq < entry.seq) this.newestByDedupe.set(entry.dedupeTag, { id: entry.id, seq: entry.seq })
    }
  }

  /** Resolves the copies a crash between two writes can leave: higher seq wins, then dead. */
  private loadOne(candidate: IndexedEntry): void {
    const existing = this.byId.get(candidate.id)
    if (!existing) {
      this.index(candidate)
      return
    }
    const candidateWins =
      candidate.seq > existing.seq || (candidate.seq === existing.seq && candidate.state === 'deadLetter')
    const loser = candidateWins ? existing : candidate
    this.store.remove(loser.key)
    if (candidateWins) {
      this.unindex(existing)
      this.index(candidate)
    }
  }

  private index(entry: IndexedEntry): void {
    this.byId.set(entry.id, entry)
    this.minSeq = Math.min(this.minSeq, entry.seq)
    this.maxSeq = Math.max(this.maxSeq, entry.seq)
    if (entry.state === 'deadLetter') {
      this.dead += 1
      return
    }
    let lane = this.lanes.get(entry.laneTag)
    if (!lane) {
      lane = []
      this.lanes.set(entry.laneTag, lane)
    }
    insertBySeq(lane, entry)
  }

  private unindex(entry: IndexedEntry): void {
    this.byId.delete(entry.id)
    if (entry.state === 'deadLetter') this.dead -= 1
    else removeFrom(this.lanes.get(entry.laneTag) ?? [], entry.id)
  }
}
