import { InvalidArgumentError, ReplayFailedError } from '../errors'
import type { HttpRequest, Platform, Unsubscribe } from '../platform/platform'
import { detectPlatform } from '../platform/detect-platform'
import type { EntryMetadata, OutboxEntry } from '../queue/outbox-entry'
import { toHttpRequest, toStoredRequest, type StoredRequest } from '../queue/stored-request'
import type { SyncEvents } from '../sync/sync-events'
import type { OfflineOptions } from './offline-options'
import { QueueService, type PendingItem } from './queue-service'
import type { StatusSource } from './sync-status'

/** An entry as Workbox's `Queue` takes and gives it; `request` is a `wx.request` without callbacks. */
export interface QueueEntry {
  request: HttpRequest
  /** When the request was made (ms); retention counts from here. Default now. */
  timestamp?: number
  metadata?: EntryMetadata
}

/** Options of {@link Queue}: Workbox's, plus everything `createOffline` takes. */
export interface QueueOptions extends OfflineOptions {
  /**
   * Runs on every trigger (reconnect, show, start, backoff timer) instead of
   * the default `replayRequests()`. Throw to leave the entries for next time.
   */
  onSync?: (options: { queue: Queue }) => unknown
}

/**
 * A Workbox-compatible background-sync queue for mini-programs.
 *
 * Unlike Workbox's, an entry is removed only after the server answered it
 * (never before sending), one replay runs at a time, `unshiftRequest` always
 * lands at the front, 4xx/5xx answers are not success (5xx retries with
 * backoff, other 4xx become dead letters), and the queue is observable.
 *
 * @example
 * ```ts
 * const queue = new Queue('visits', { maxRetentionTime: 24 * 60 })
 * await queue.pushRequest({ request: { url, method: 'POST', data: visit } })
 * ```
 */
export class Queue {
  readonly platform: Platform
  private readonly service: QueueService

  constructor(private readonly queueName: string, private readonly options: QueueOptions = {}) {
    if (typeof queueName !== 'string' || queueName === '' || queueName === 'default') {
      throw new InvalidArgumentError('a Queue needs a non-empty name other than "default" (which createOffline uses)')
    }
    this.platform = options.platform ?? detectPlatform()
    this.service = new QueueService(this.platform, options.namespace ?? 'default', queueName, options)
    const onSync = options.onSync
    if (onSync) this.service.onTrigger = () => this.runOnSync(onSync)
  }

  get name(): string {
    return this.queueName
  }

  get status(): StatusSource {
    return this.service.status
  }

  /** Resolves once the queue knows the network state. */
  get ready(): Promise<void> {
    return this.service.ready
  }

  /** Adds an entry at the end; when online, a replay starts soon (Workbox's `registerSync`). */
  async pushRequest(entry: QueueEntry): Promise<void> {
    await this.add(entry, 'back')
  }

  /** Adds an entry at the front: it is sent first. */
  async unshiftRequest(entry: QueueEntry): Promise<void> {
    await this.add(entry, 'front')
  }

  /** Sends an entry again now; a dead letter goes back to the end of its lane under a new idempotency key. */
  retry(id: string): Promise<void> {
    return this.service.retry(id)
  }

  /** Drops an entry (typically a dead letter) unsent. */
  discard(id: string): void {
    this.service.discard(id)
  }

  /** Empties the queue. */
  clear(): void {
    this.service.clear()
  }

  /** Removes and returns the first unexpired entry (expired ones are dropped with an event). */
  async shiftRequest(): Promise<QueueEntry | undefined> {
    return this.take((entries) => entries[0])
  }

  /** Removes and returns the last unexpired entry. */
  async popRequest(): Promise<QueueEntry | undefined> {
    return this.take((entries) => entries[entries.length - 1])
  }

  /** Every unexpired entry, oldest first, without removing them; expired ones are dropped. */
  async getAll(): Promise<QueueEntry[]> {
    return this.unexpired().map((entry) => this.toQueueEntry(entry))
  }

  /** Entries stored, expired ones and dead letters included (as Workbox counts everything stored). */
  async size(): Promise<number> {
    return this.service.outbox.size
  }

  /**
   * Sends every entry in order. Rejects with `ReplayFailedError` when some
   * are still waiting afterwards (offline, or retries scheduled).
   */
  async replayRequests(): Promise<void> {
    await this.service.engine.replay()
    const remaining = this.service.outbox.pendingCount
    if (remaining > 0) throw new ReplayFailedError(this.queueName, remaining)
  }

  pending(): PendingItem[] {
    return this.service.pending()
  }

  on<Name extends keyof SyncEvents>(name: Name, listener: (payload: SyncEvents[Name]) => void): Unsubscribe {
    return this.service.events.on(name, listener)
  }

  /** Stops listening and frees the name; stored entries stay. */
  close(): void {
    this.service.close()
  }

  private async add(source: QueueEntry, position: 'back' | 'front'): Promise<void> {
    if (typeof source !== 'object' || source === null) throw new InvalidArgumentError('entry must be an object')
    if (source.timestamp !== undefined && !Number.isFinite(source.timestamp)) {
      throw new InvalidArgumentError('timestamp must be a number of milliseconds')
    }
    const request = toStoredRequest(source.request, this.options.persistSecretHeaders ?? false)
    const entry = await this.service.createEntry({ request, metadata: source.metadata, acceptedAt: source.timestamp })
    this.service.store(entry, position)
    if (this.service.canSend()) void this.service.trigger()
  }

  /** A throw leaves the entries for the next trigger, as in Workbox; it must not escape as an unhandled rejection. */
  private async runOnSync(onSync: NonNullable<QueueOptions['onSync']>): Promise<void> {
    try {
      await onSync({ queue: this })
    } catch {
      // Entries stay stored; the next trigger (reconnect, show, backoff) runs onSync again.
    }
  }

  private unexpired(): OutboxEntry[] {
    const retentionMs = (this.options.maxRetentionTime ?? 7 * 24 * 60) * 60_000
    const oldest = this.platform.clock.now() - retentionMs
    const kept: OutboxEntry[] = []
    for (const located of this.service.outbox.all()) {
      const entry = this.service.outbox.read(located.id)
      if (!entry) continue
      if (located.acceptedAt < oldest) this.expire(entry)
      else if (located.state === 'p') kept.push(entry)
    }
    return kept
  }

  private expire(entry: OutboxEntry): void {
    // Told before the removal, as replay does: a crash in between repeats the event, never loses it.
    this.service.events.emit('expired', { entry })
    this.service.outbox.remove(entry)
    this.service.status.refresh()
  }

  private take(pick: (entries: OutboxEntry[]) => OutboxEntry | undefined): QueueEntry | undefined {
    const entry = pick(this.unexpired().filter((candidate) => !this.service.engine.isSending(candidate.id)))
    if (!entry) return undefined
    this.service.outbox.remove(entry)
    this.service.status.refresh()
    return this.toQueueEntry(entry)
  }

  private toQueueEntry(entry: OutboxEntry): QueueEntry {
    // A Queue only ever holds plain requests (pushRequest / unshiftRequest).
    const queueEntry: QueueEntry = { request: toHttpRequest(entry.request as StoredRequest, {}), timestamp: entry.acceptedAt }
    if (entry.metadata !== undefined) queueEntry.metadata = entry.metadata
    return queueEntry
  }
}
