import { entryKey, parseEntryKey, queuePrefix, dedupeKey as dedupePointerKey, type EntryLocation } from './entry-key'
import { StoreCorruptedError } from '../errors'
import { decodeEntry, encodeEntry, type StoredEntry } from './entry-codec'
import type { OutboxEntry } from './outbox-entry'

/** What the outbox needs from the durable store. */
export interface OutboxStore {
  get<T>(key: string): T | undefined
  put(key: string, value: unknown, options?: { replacing?: string }): void
  remove(key: string): void
  keys(prefix?: string): string[]
}

/** What the outbox tells its owner. */
export interface OutboxHooks {
  /** An entry left storage for good (sent, discarded, expired, superseded, cleared): release its files. */
  onRemoved?: (id: string) => void
  /** An entry's stored data was not what the SDK wrote; it is left in storage, out of the queue. */
  onCorrupted?: (id: string, error: StoreCorruptedError) => void
}

/** Where an entry is, as the in-memory index knows it (no body). */
export interface IndexedEntry extends EntryLocation {
  key: string
}

interface DedupePointer {
  id: string
}

/** Inserts keeping `list` sorted by seq (entries mostly arrive at either end). */
function insertBySeq(list: IndexedEntry[], entry: IndexedEntry): void {
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
 * dead-lettered. Every change writes one entry (and, for a state change,
 * removes its old key); nothing else is rewritten, so the cost of a push does
 * not grow with the backlog. Opening lists keys only.
 */
export class Outbox {
  private readonly byId = new Map<string, IndexedEntry>()
  /** Pending entries of each lane, oldest first. */
  private readonly lanes = new Map<string, IndexedEntry[]>()
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

  /** Pending entries of one lane, oldest first. */
  lane(lane: string): readonly IndexedEntry[] {
    return this.lanes.get(lane) ?? []
  }

  /** Whether `lane` holds a dead letter; from the index, without sorting or reading. */
  hasDeadLetterIn(lane: string): boolean {
    if (this.dead === 0) return false
    for (const entry of this.byId.values()) if (entry.state === 'd' && entry.lane === lane) return true
    return false
  }

  laneNames(): string[] {
    return [...this.lanes.keys()].filter((lane) => this.lane(lane).length > 0)
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
      return stored && decodeEntry(stored, location)
    } catch (error) {
      if (!(error instanceof StoreCorruptedError)) throw error
      this.unindex(location)
      this.hooks.onCorrupted?.(id, error)
      return undefined
    }
  }

  /** Stores a new entry at the back (or, for `unshift`, the front) of the queue. */
  add(entry: OutboxEntry, position: 'back' | 'front' = 'back'): IndexedEntry {
    const seq = position === 'back' ? this.maxSeq + 1 : this.minSeq - 1
    const location: EntryLocation = { state: 'p', seq, acceptedAt: entry.acceptedAt, id: entry.id, lane: entry.lane }
    const key = entryKey(this.queue, location)
    this.store.put(key, encodeEntry(entry))
    const indexed = { ...location, key }
    this.index(indexed)
    if (entry.dedupeKey !== undefined) this.store.put(dedupePointerKey(this.queue, entry.dedupeKey), { id: entry.id })
    return indexed
  }

  /** Rewrites an entry's body in place (attempts, last error, next attempt). */
  update(entry: OutboxEntry): void {
    const location = this.byId.get(entry.id)
    if (!location) return
    this.store.put(location.key, encodeEntry(entry))
  }

  /** Removes an entry for good (sent, discarded, expired or superseded), and its dedupe pointer if it is the newest. */
  remove(entry: Pick<OutboxEntry, 'id' | 'dedupeKey'>): void {
    const location = this.byId.get(entry.id)
    if (!location) return
    const ownsPointer = entry.dedupeKey !== undefined && this.newestFor(entry.dedupeKey) === entry.id
    this.store.remove(location.key)
    this.unindex(location)
    if (ownsPointer) this.store.remove(dedupePointerKey(this.queue, entry.dedupeKey as string))
    this.hooks.onRemoved?.(entry.id)
  }

  /**
   * Moves an entry to the dead letters. The dead copy is written (same seq)
   * before the pending one is removed; a crash between leaves both, and
   * opening keeps the dead one.
   */
  deadLetter(entry: OutboxEntry): void {
    const location = this.byId.get(entry.id)
    if (!location || location.state === 'd') return
    const dead: IndexedEntry = { ...location, state: 'd', key: entryKey(this.queue, { ...location, state: 'd' }) }
    this.store.put(dead.key, encodeEntry(entry), { replacing: location.key })
    this.store.remove(location.key)
    this.unindex(location)
    this.index(dead)
  }

  /**
   * Puts a dead letter back at the end of its lane with a fresh attempt count
   * and a new idempotency key (the server refused the old one for good).
   * The pending copy gets a higher seq, so after a crash between the two
   * writes, opening keeps it.
   */
  revive(id: string, idempotencyKey: string): OutboxEntry | undefined {
    const location = this.byId.get(id)
    if (!location || location.state !== 'd') return undefined
    const entry = this.read(id)
    if (!entry) return undefined
    const revived: OutboxEntry = { ...entry, attempts: 0, idempotencyKey }
    delete revived.deadLetter
    delete revived.nextAttemptAt
    const pending: EntryLocation = { ...location, state: 'p', seq: this.maxSeq + 1 }
    const key = entryKey(this.queue, pending)
    this.store.put(key, encodeEntry(revived), { replacing: location.key })
    this.store.remove(location.key)
    this.unindex(location)
    this.index({ ...pending, key })
    return revived
  }

  /** The id of the newest entry for a dedupe key, if it is still stored. */
  newestFor(dedupeKey: string): string | undefined {
    const pointer = this.store.get<DedupePointer>(dedupePointerKey(this.queue, dedupeKey))
    return pointer && this.byId.has(pointer.id) ? pointer.id : undefined
  }

  /** Removes every entry and pointer of this queue. */
  clear(): void {
    for (const key of this.store.keys(queuePrefix(this.queue))) this.store.remove(key)
    const ids = [...this.byId.keys()]
    this.byId.clear()
    this.lanes.clear()
    this.dead = 0
    ids.forEach((id) => this.hooks.onRemoved?.(id))
  }

  private load(): void {
    const found: IndexedEntry[] = []
    for (const key of this.store.keys(queuePrefix(this.queue))) {
      const location = parseEntryKey(this.queue, key)
      if (location) found.push({ ...location, key })
    }
    // In seq order, so every lane is built by appending.
    found.sort((a, b) => a.seq - b.seq)
    for (const entry of found) this.loadOne(entry)
  }

  /** Resolves the copies a crash between two writes can leave: higher seq wins, then dead. */
  private loadOne(candidate: IndexedEntry): void {
    const existing = this.byId.get(candidate.id)
    if (!existing) {
      this.index(candidate)
      return
    }
    const candidateWins =
      candidate.seq > existing.seq || (candidate.seq === existing.seq && candidate.state === 'd')
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
    if (entry.state === 'd') {
      this.dead += 1
      return
    }
    let lane = this.lanes.get(entry.lane)
    if (!lane) {
      lane = []
      this.lanes.set(entry.lane, lane)
    }
    insertBySeq(lane, entry)
  }

  private unindex(entry: IndexedEntry): void {
    this.byId.delete(entry.id)
    if (entry.state === 'd') this.dead -= 1
    else removeFrom(this.lanes.get(entry.lane) ?? [], entry.id)
  }
}
