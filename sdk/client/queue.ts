import { InvalidArgumentError, ReplayFailedError } from '../errors'
import type { HttpRequest, Platform, Unsubscribe } from '../platform/platform'
import { detectPlatform } from '../platform/detect-platform'
import type { EntryMetadata, OutboxEntry, RequestEntry } from '../queue/outbox-entry'
import { toHttpRequest, toStoredRequest } from '../queue/stored-request'
import type { SyncEvents } from '../sync/sync-events'
import { newEntry } from './entry-factory'
import { checkOfflineOptions, checkPlacement, checkQueueName } from './option-checks'
import { checkBatchOptions } from '../sync/batch-protocol'
import { acquireStore, releaseStore } from './namespace-runtime'
import type { OfflineOptions } from './offline-options'
import type { PendingItem } from './pending-view'
import { QueueEngine } from './queue-engine'
import { secretHeadersIn } from './run-secrets'
import { acquireShared, releaseShared } from './shared-registry'
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
  private readonly engine: QueueEngine
  private readonly registryName: string
  private closed = false

  constructor(private readonly queueName: string, private readonly options: QueueOptions = {}) {
    checkQueueName(queueName)
    checkOfflineOptions(options)
    checkBatchOptions(options.batch)
    const namespace = options.namespace ?? 'default'
    this.platform = options.platform ?? detectPlatform()
    this.registryName = `queue:${namespace}/${queueName}`
    const { value: engine, woke } = acquireShared(this.platform.storage, this.registryName, () => this.open(namespace), true)
    if (woke) engine.adopt(options)
    this.engine = engine
  }

  get name(): string {
    return this.queueName
  }

  get status(): StatusSource {
    return this.engine.status
  }

  /** Resolves once the queue knows the network state. */
  get ready(): Promise<void> {
    return this.engine.ready
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
    return this.engine.retry(id)
  }

  /** Drops an entry (typically a dead letter) unsent. */
  discard(id: string): void {
    this.engine.discard(id)
  }

  /** Empties the queue. */
  clear(): void {
    this.engine.clear()
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
    return this.engine.waitingEntries().map((entry) => this.toQueueEntry(entry))
  }

  /** Entries stored, expired ones and dead letters included (as Workbox counts everything stored). */
  async size(): Promise<number> {
    return this.engine.size
  }

  /**
   * Sends every entry in order. Rejects with `ReplayFailedError` when some
   * are still waiting afterwards (offline, or retries scheduled).
   */
  async replayRequests(): Promise<void> {
    await this.engine.replayAll()
    const remaining = this.engine.pendingCount
    if (remaining > 0) throw new ReplayFailedError(this.queueName, remaining)
  }

  pending(): PendingItem[] {
    return this.engine.pending()
  }

  on<Name extends keyof SyncEvents>(name: Name, listener: (payload: SyncEvents[Name]) => void): Unsubscribe {
    return this.engine.events.on(name, listener)
  }

  /** Stops listening and frees the name; stored entries stay. */
  close(): void {
    if (this.closed) return
    this.closed = true
    releaseShared(this.platform.storage, this.registryName, this.engine)
  }

  /** All or nothing: the store is released again if the engine cannot be built. */
  private open(namespace: string): QueueEngine {
    const store = acquireStore(this.platform, namespace, this.options.maxStorageBytes)
    try {
      const onSync = this.options.onSync
      return new QueueEngine({
        platform: this.platform,
        namespace,
        queueName: this.queueName,
        options: this.options,
        store: store.store,
        onTrigger: onSync && (() => this.runOnSync(onSync)),
        onDispose: () => releaseStore(this.platform, namespace, store),
      })
    } catch (error) {
      releaseStore(this.platform, namespace, store)
      throw error
    }
  }

  private async add(source: QueueEntry, position: 'back' | 'front'): Promise<void> {
    if (typeof source !== 'object' || source === null) throw new InvalidArgumentError('entry must be an object')
    if (source.timestamp !== undefined && !Number.isFinite(source.timestamp)) {
      throw new InvalidArgumentError('timestamp must be a number of milliseconds')
    }
    const keepSecrets = this.options.persistSecretHeaders ?? false
    const request = toStoredRequest(source.request, keepSecrets)
    checkPlacement({ metadata: source.metadata })
    const entry = newEntry(this.platform, await this.engine.newId(), { request }, { metadata: source.metadata }, source.timestamp)
    const secrets = keepSecrets ? {} : secretHeadersIn(source.request.header)
    this.engine.store(entry, new Map([[0, secrets]]), position)
    if (this.engine.canSend()) void this.engine.trigger()
  }

  /** A throw leaves the entries for the next trigger, as in Workbox; it must not escape as an unhandled rejection. */
  private async runOnSync(onSync: NonNullable<QueueOptions['onSync']>): Promise<void> {
    try {
      await onSync({ queue: this })
    } catch {
      // Entries stay stored; the next trigger (reconnect, show, backoff) runs onSync again.
    }
  }

  private take(pick: (entries: OutboxEntry[]) => OutboxEntry | undefined): QueueEntry | undefined {
    const entry = pick(this.engine.waitingEntries())
    if (!entry) return undefined
    this.engine.take(entry)
    return this.toQueueEntry(entry)
  }

  private toQueueEntry(entry: OutboxEntry): QueueEntry {
    // A Queue only ever holds plain requests (pushRequest / unshiftRequest).
    const queueEntry: QueueEntry = { request: toHttpRequest((entry as RequestEntry).request, {}), timestamp: entry.acceptedAt }
    if (entry.metadata !== undefined) queueEntry.metadata = entry.metadata
    return queueEntry
  }
}
