import { InvalidArgumentError, QuotaExceededError, UnsupportedError } from '../errors'
import type { Platform, Unsubscribe } from '../platform/platform'
import { FileKeeper } from '../files/file-keeper'
import { Outbox } from '../queue/outbox'
import { toJsonText, type DurableStore } from '../store'
import type { EntryMetadata, OutboxEntry } from '../queue/outbox-entry'
import { uuidV4 } from '../queue/idempotency-key'
import type { StoredRequest } from '../queue/stored-request'
import { stepsOf, type StoredUpload, type TaskStep } from '../queue/task-step'
import { classifyWith } from '../sync/answer-classifier'
import { NetworkMonitor } from '../sync/network-monitor'
import { ReplayEngine } from '../sync/replay-engine'
import { createRetryPolicy } from '../sync/retry-policy'
import type { SyncEvents } from '../sync/sync-events'
import { toPathSegment } from '../util/path-segment'
import { TypedEmitter } from '../util/typed-emitter'
import { closeQueueStore, openQueueStore } from './namespace-registry'
import type { HeadersProvider, OfflineOptions } from './offline-options'
import { StatusPublisher } from './sync-status'

/** The most lanes replayed at once: WeChat allows 10 requests in flight and the app needs some. */
export const MAX_CONCURRENCY = 8
const DEFAULT_RETENTION_MINUTES = 7 * 24 * 60

/** An entry as the "待同步" page shows it. */
export interface PendingItem {
  id: string
  state: 'pending' | 'deadLetter'
  lane: string
  url: string
  method: string
  metadata?: EntryMetadata
  attempts: number
  acceptedAt: number
  lastError?: OutboxEntry['lastError']
  nextAttemptAt?: number
  /** True while it is being sent. */
  sending: boolean
  /** Steps done of all steps: `{ done: 2, total: 3 }` shows as 2/3. A plain request is 0/1. */
  progress: { done: number; total: number }
}

/** Where a new entry comes from: exactly one of `request`, `upload`, `steps`. */
export interface NewEntry {
  request?: StoredRequest
  upload?: StoredUpload
  steps?: TaskStep[]
  lane?: string
  dedupeKey?: string
  metadata?: EntryMetadata
  acceptedAt?: number
}

function checkOptions(options: OfflineOptions): void {
  const concurrency = options.concurrency
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CONCURRENCY)) {
    throw new InvalidArgumentError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`)
  }
  const retention = options.maxRetentionTime
  if (retention !== undefined && !(typeof retention === 'number' && retention > 0)) {
    throw new InvalidArgumentError('maxRetentionTime must be a positive number of minutes')
  }
}

async function resolveHeaders(provider: HeadersProvider | undefined): Promise<Record<string, string>> {
  if (!provider) return {}
  return typeof provider === 'function' ? { ...(await provider()) } : { ...provider }
}

/**
 * One named queue, wired: its outbox, its replay engine, the triggers that
 * start a replay, events and status. `createOffline()` and `Queue` are faces
 * over this.
 */
export class QueueService {
  readonly events = new TypedEmitter<SyncEvents>()
  readonly outbox: Outbox
  readonly engine: ReplayEngine
  readonly network: NetworkMonitor
  readonly status: StatusPublisher
  readonly ready: Promise<void>
  /** The namespace's durable store (shared by its queues). */
  readonly storage: DurableStore
  /** The files kept for uploads; unsupported where the runtime has no file system. */
  readonly files: FileKeeper | undefined
  /**
   * Frees storage for a write that met a full device, returning the bytes
   * freed; the client points it at the read cache, which always goes before
   * anything queued.
   */
  freeSpace: (bytes: number) => number = () => 0
  /** Runs on every trigger; by default a replay. `Queue`'s `onSync` replaces it. */
  onTrigger: () => Promise<void>
  private visible = true
  private closed = false
  /** Deletions of kept files, chained so a replay can wait for them. */
  private fileReleases: Promise<void> = Promise.resolve()
  /** Lanes with a live request in flight, and how many. */
  private readonly heldLanes = new Map<string, number>()
  private readonly unsubscribers: Unsubscribe[] = []

  constructor(
    readonly platform: Platform,
    readonly namespace: string,
    readonly queueName: string,
    private readonly options: OfflineOptions,
  ) {
    checkOptions(options)
    this.files = platform.capabilities.fileSystem
      ? new FileKeeper(platform.fs, `${platform.fs.userDataPath}/mpo/${toPathSegment(namespace)}/${toPathSegment(queueName)}`, options.maxFileBytes)
      : undefined
    this.storage = openQueueStore(platform, namespace, queueName, options.maxStorageBytes)
    this.outbox = new Outbox(this.storage, queueName, {
      onRemoved: (id) => this.releaseFiles(id),
      onCorrupted: (id, error) => this.events.emit('corrupted', { id, error }),
    })
    this.network = new NetworkMonitor(platform.network)
    this.engine = new ReplayEngine({
      outbox: this.outbox,
      http: platform.http,
      clock: platform.clock,
      random: Math.random,
      events: this.events,
      retry: createRetryPolicy(options.retry),
      classify: classifyWith(options.classify),
      sendTimeHeaders: (idempotencyKey) => this.sendTimeHeaders(idempotencyKey),
      fileExists: (path) => this.files?.exists(path) ?? Promise.resolve(false),
      onAuthExpired: options.onAuthExpired,
      concurrency: options.concurrency ?? 4,
      blockOnDeadLetter: options.blockOnDeadLetter ?? false,
      retentionMs: (options.maxRetentionTime ?? DEFAULT_RETENTION_MINUTES) * 60_000,
      canSend: () => this.canSend(),
      isLaneHeld: (lane) => this.heldLanes.has(lane),
      sideEffectsSettled: () => this.fileReleases,
      onChange: () => this.status.refresh(),
    })
    this.status = new StatusPublisher(() => ({
      online: this.network.online,
      networkType: this.network.networkType,
      pending: this.outbox.pendingCount,
      inFlight: this.engine.inFlight,
      deadLetters: this.outbox.deadCount,
      syncing: this.engine.syncing,
      lastSyncAt: this.engine.lastSyncAt,
      nextRetryAt: this.engine.nextRetryAt,
    }))
    this.onTrigger = () => this.engine.replay()
    this.watchLifecycle()
    this.ready = this.start()
  }

  /** Whether replaying is worth trying: online and in the foreground. */
  canSend(): boolean {
    return !this.closed && this.visible && this.network.online
  }

  /** Starts a replay (or joins the running one). */
  trigger(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return this.onTrigger()
  }

  /** Deletes an entry's kept files after the entry left storage (a crash in between leaves an orphan the next start removes). */
  private releaseFiles(id: string): void {
    const files = this.files
    if (!files) return
    this.fileReleases = this.fileReleases.then(() => files.release(id))
  }

  /** Whether a live send may go now: online, and nothing queued or live ahead of it in its lane. */
  laneIsFree(lane: string): boolean {
    return this.canSend() && this.outbox.lane(lane).length === 0 && !this.heldLanes.has(lane)
  }

  /**
   * Holds a lane while a live request is in flight, so replay does not send
   * what queues behind it first; returns the release.
   */
  holdLane(lane: string): () => void {
    this.heldLanes.set(lane, (this.heldLanes.get(lane) ?? 0) + 1)
    return () => {
      const count = (this.heldLanes.get(lane) ?? 1) - 1
      if (count > 0) this.heldLanes.set(lane, count)
      else this.heldLanes.delete(lane)
    }
  }

  /** Headers for one send: the app's provider, then the idempotency key. */
  async sendTimeHeaders(idempotencyKey: string): Promise<Record<string, string>> {
    const headers = await resolveHeaders(this.options.headers)
    headers[this.options.idempotencyHeader ?? 'Idempotency-Key'] = idempotencyKey
    return headers
  }

  /** A fresh id, which is also the idempotency key: UUID v4 from secure random bytes. */
  async newId(): Promise<string> {
    return uuidV4(await this.platform.randomBytes(16))
  }

  /** Builds an entry; nothing is written. */
  async createEntry(source: NewEntry): Promise<OutboxEntry> {
    if (source.lane !== undefined && (typeof source.lane !== 'string' || source.lane.length > 64)) {
      throw new InvalidArgumentError('lane must be a string of at most 64 characters')
    }
    if (source.dedupeKey !== undefined && (typeof source.dedupeKey !== 'string' || source.dedupeKey === '')) {
      throw new InvalidArgumentError('dedupeKey must be a non-empty string')
    }
    if (source.metadata !== undefined) toJsonText(source.metadata, 'metadata')
    const id = await this.newId()
    const entry: OutboxEntry = {
      id,
      idempotencyKey: id,
      lane: source.lane ?? '',
      acceptedAt: source.acceptedAt ?? this.platform.clock.now(),
      attempts: 0,
    }
    if (source.request !== undefined) entry.request = source.request
    if (source.upload !== undefined) entry.upload = source.upload
    if (source.steps !== undefined) entry.steps = source.steps
    if (source.metadata !== undefined) entry.metadata = source.metadata
    if (source.dedupeKey !== undefined) entry.dedupeKey = source.dedupeKey
    return entry
  }

  /**
   * Writes an entry; an older pending entry with the same `dedupeKey` is
   * removed unless it is being sent. Throws (and emits `quotaExceeded`) when
   * the entry does not fit: nothing already stored is touched.
   */
  store(entry: OutboxEntry, position: 'back' | 'front' = 'back'): void {
    const replaced = entry.dedupeKey === undefined ? undefined : this.outbox.newestFor(entry.dedupeKey)
    try {
      this.addEvictingCache(entry, position)
    } catch (error) {
      if (error instanceof QuotaExceededError) this.events.emit('quotaExceeded', { error })
      throw error
    }
    if (replaced !== undefined && !this.engine.isSending(replaced)) {
      const old = this.outbox.read(replaced)
      if (old) {
        this.outbox.remove(old)
        this.events.emit('superseded', { entry: old })
      }
    }
    this.events.emit('queued', { entry })
    this.status.refresh()
  }

  /**
   * Adds the entry; if the device is full, evicts cached reads and tries once
   * more. Over the outbox's own budget, evicting would not help (cached reads
   * have a budget of their own), so the cache is left alone.
   */
  private addEvictingCache(entry: OutboxEntry, position: 'back' | 'front'): void {
    try {
      this.outbox.add(entry, position)
    } catch (error) {
      const deviceFull = error instanceof QuotaExceededError && error.limit === 'device'
      if (!deviceFull || this.freeSpace(error.requiredBytes) === 0) throw error
      this.outbox.add(entry, position)
    }
  }

  pending(): PendingItem[] {
    return this.outbox.all().flatMap((located) => {
      const entry = this.outbox.read(located.id)
      if (!entry) return []
      const steps = stepsOf(entry)
      const done = entry.done ?? 0
      const current = steps[Math.min(done, steps.length - 1)]
      const target = 'upload' in current ? current.upload.url : current.request.url
      const item: PendingItem = {
        id: entry.id,
        state: located.state === 'd' ? 'deadLetter' : 'pending',
        lane: entry.lane,
        url: typeof target === 'string' ? target : target.$ref,
        method: 'upload' in current ? 'UPLOAD' : current.request.method,
        attempts: entry.attempts,
        acceptedAt: entry.acceptedAt,
        sending: this.engine.isSending(entry.id),
        progress: { done, total: steps.length },
      }
      if (entry.metadata !== undefined) item.metadata = entry.metadata
      const lastError = entry.deadLetter ?? entry.lastError
      if (lastError !== undefined) item.lastError = lastError
      if (entry.nextAttemptAt !== undefined) item.nextAttemptAt = entry.nextAttemptAt
      return [item]
    })
  }

  /**
   * Sends a dead letter (or a waiting entry) again now. A dead letter the
   * server refused (a 4xx other than 408/409/429) goes under a new
   * idempotency key, since the server keeps its refusal for the old one; one
   * that ran out of attempts keeps its key, since its last attempt may have
   * been applied with the answer lost.
   */
  async retry(id: string): Promise<void> {
    const located = this.requireEntry(id)
    if (located.state === 'd') {
      const dead = this.outbox.read(id)
      const status = dead?.deadLetter?.statusCode
      const refused = status !== undefined && status >= 400 && status < 500 && ![408, 409, 429].includes(status)
      const key = refused || !dead ? await this.newId() : dead.idempotencyKey
      this.outbox.revive(id, key)
    }
    this.engine.clearBackoff(id)
    this.status.refresh()
    return this.trigger()
  }

  /** Removes an entry unsent, at the user's request. */
  discard(id: string): void {
    this.requireEntry(id)
    if (this.engine.isSending(id)) throw new InvalidArgumentError(`entry ${id} is being sent; try again when it settles`)
    const entry = this.outbox.read(id)
    this.outbox.remove(entry ?? { id })
    this.status.refresh()
  }

  /** Empties the queue (for example on logout). */
  clear(): void {
    this.outbox.clear()
    this.status.refresh()
  }

  /** Stops listening and releases the namespace; stored entries stay for the next start. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.engine.stop()
    for (const unsubscribe of this.unsubscribers) unsubscribe()
    this.network.stop()
    this.status.clear()
    this.events.clear()
    closeQueueStore(this.platform, this.namespace, this.queueName)
  }

  private requireEntry(id: string) {
    const located = this.outbox.locate(id)
    if (!located) throw new InvalidArgumentError(`no entry with id ${id}`)
    return located
  }

  private async start(): Promise<void> {
    this.unsubscribers.push(
      this.network.onChange((status, wasOnline) => {
        this.status.refresh()
        if (status.isConnected === wasOnline) return
        this.events.emit(status.isConnected ? 'online' : 'offline', status)
        if (status.isConnected) void this.trigger()
      }),
    )
    await Promise.all([this.network.start(), this.files?.open((id) => this.outbox.locate(id) !== undefined)])
    this.status.refresh()
    void this.trigger()
  }

  /** Replays on show; pauses backoff timers on hide (WeChat suspends the app ~5 s later). */
  private watchLifecycle(): void {
    try {
      this.unsubscribers.push(
        this.platform.lifecycle.onShow(() => {
          this.visible = true
          this.engine.resume()
          void this.trigger()
        }),
        this.platform.lifecycle.onHide(() => {
          this.visible = false
          this.engine.pause()
        }),
      )
    } catch (error) {
      // uni-app H5 and App have no show/hide events: treat the app as always visible.
      if (!(error instanceof UnsupportedError)) throw error
    }
  }
}
