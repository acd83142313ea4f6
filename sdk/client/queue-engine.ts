import { InvalidArgumentError, QuotaExceededError, UnsupportedError } from '../errors'
import type { Platform, Unsubscribe } from '../platform/platform'
import { FileKeeper } from '../files/file-keeper'
import { Outbox } from '../queue/outbox'
import { providedHeaders } from '../queue/headers-provider'
import type { OutboxEntry } from '../queue/outbox-entry'
import { DEFAULT_RETENTION_MINUTES, RetentionPolicy } from '../queue/retention'
import type { DurableStore } from '../store'
import { classifyWith } from '../sync/answer-classifier'
import { NetworkMonitor } from '../sync/network-monitor'
import { ReplayEngine, type LiveOutcome } from '../sync/replay-engine'
import { createRetryPolicy } from '../sync/retry-policy'
import type { SyncEvents } from '../sync/sync-events'
import { reportToConsole } from '../util/subscribable'
import { toPathSegment } from '../util/path-segment'
import { TypedEmitter } from '../util/typed-emitter'
import type { OfflineOptions } from './offline-options'
import { IdPool } from './id-pool'
import { pendingItems, type PendingItem } from './pending-view'
import { RunSecrets } from './run-secrets'
import type { Shared } from './shared-registry'
import { StatusPublisher } from './sync-status'

/** What one queue's engine is built from. */
export interface QueueEngineConfig {
  platform: Platform
  namespace: string
  queueName: string
  /** Already checked. */
  options: OfflineOptions
  /** The namespace's store, shared by its queues. */
  store: DurableStore
  /** Runs on every trigger instead of a replay (Workbox's `onSync`). */
  onTrigger?: () => Promise<void>
  /** Frees storage for a write that met a full device (the read cache); returns the bytes freed. */
  freeSpace?: (bytes: number) => number
  /** Also checked for a wipe whenever the outbox's store is (the read cache). */
  checkOtherStorage?: () => void
  /** Lets go of what the engine was given (the namespace store), once it is disposed. */
  onDispose?: () => void
}

/**
 * One queue of one namespace, wired: its outbox, the replay engine that is
 * its one sender, the triggers that start a replay (start, show,
 * reconnect, backoff, flush), events and status. Every page's client of the
 * namespace shares it (see `shared-registry.ts`); the faces
 * (`OfflineClient`, `Queue`) use only its methods.
 */
export class QueueEngine implements Shared {
  readonly events: TypedEmitter<SyncEvents>
  readonly network: NetworkMonitor
  readonly status: StatusPublisher
  /** The files kept for uploads; unsupported where the runtime has no file system. */
  readonly files: FileKeeper | undefined
  /** Settles once the current wake has read the network state and started its first replay. */
  ready: Promise<void> = Promise.resolve()
  private readonly outbox: Outbox
  private readonly replay: ReplayEngine
  private readonly secrets = new RunSecrets()
  private readonly ids: IdPool
  private readonly platform: Platform
  private options: OfflineOptions
  private awake = false
  private visible = true
  private filesOpened: Promise<void> | undefined
  /** Deletions of kept files, chained so a replay can wait for them. */
  private fileReleases: Promise<void> = Promise.resolve()
  private listening: Unsubscribe[] = []

  constructor(private readonly config: QueueEngineConfig) {
    const { platform, namespace, queueName, options, store } = config
    // Read at each report: a later holder's options may replace these (see adopt).
    const reportError = (error: unknown): void => (this.options.onError ?? reportToConsole)(error)
    this.platform = platform
    this.options = options
    this.ids = new IdPool(platform)
    this.events = new TypedEmitter<SyncEvents>(reportError)
    this.files = platform.capabilities.fileSystem
      ? new FileKeeper(platform.fs, `${platform.fs.userDataPath}/mpo/${toPathSegment(namespace)}/${toPathSegment(queueName)}`, options.maxFileBytes)
      : undefined
    this.outbox = new Outbox(store, queueName, {
      onRemoved: (id) => this.forgetEntry(id),
      onCorrupted: (id, error) => this.events.emit('corrupted', { id, error }),
      onLost: (ids) => this.reportLost(ids),
    })
    this.network = new NetworkMonitor(platform.network, reportError)
    this.replay = new ReplayEngine({
      outbox: this.outbox,
      sender: {
        http: platform.http,
        sendTimeHeaders: (entry, key) => this.sendTimeHeaders(entry, key),
        fileExists: (path) => this.files?.exists(path) ?? Promise.resolve(false),
      },
      clock: platform.clock,
      random: Math.random,
      events: this.events,
      retry: createRetryPolicy(options.retry),
      classify: (outcome) => classifyWith(this.options.classify)(outcome),
      authRefresher: () => this.options.onAuthExpired,
      concurrency: options.concurrency ?? 4,
      blockOnDeadLetter: options.blockOnDeadLetter ?? false,
      retention: new RetentionPolicy((options.maxRetentionTime ?? DEFAULT_RETENTION_MINUTES) * 60_000),
      canSend: () => this.canSend(),
      sideEffectsSettled: () => this.fileReleases,
      batch: options.batch && {
        options: options.batch,
        headers: () => providedHeaders(this.options.headers),
        // One caller per batch: a request with credentials of its own goes alone.
        mayShareRequest: (entry) => !this.secrets.has(entry.id),
      },
      onChange: () => this.status.refresh(),
    })
    this.status = new StatusPublisher(
      () => ({
        online: this.network.online,
        networkType: this.network.networkType,
        pending: this.outbox.pendingCount,
        inFlight: this.replay.inFlight,
        deadLetters: this.outbox.deadCount,
        syncing: this.replay.syncing,
        lastSyncAt: this.replay.lastSyncAt,
        nextRetryAt: this.replay.nextRetryAt,
      }),
      reportError,
    )
  }

  /** Entries stored, dead letters included. */
  get size(): number {
    return this.outbox.size
  }

  /** Entries waiting to be sent. */
  get pendingCount(): number {
    return this.outbox.pendingCount
  }

  /** A fresh entry id, which is also its idempotency key (UUID v4 from secure random bytes). */
  newId(): Promise<string> {
    return this.ids.next()
  }

  /** Whether sending is worth trying: awake, in the foreground, and known to be online. */
  canSend(): boolean {
    return this.awake && this.visible && this.network.online === true
  }

  /** Starts a replay (or joins the running one); a Workbox `onSync` runs instead when given. */
  trigger(): Promise<void> {
    if (!this.awake) return Promise.resolve()
    this.checkStorage()
    return this.config.onTrigger ? this.config.onTrigger() : this.replay.replay()
  }

  /**
   * Notices storage wiped behind the SDK's back (the host app called
   * `wx.clearStorageSync()`): one `getStorageSync` when nothing happened.
   * The store re-measures, so writes are accepted again into the whole
   * budget, and the entries lost with it are told in `storageLost`.
   */
  private checkStorage(): void {
    try {
      const { remeasured, lostKeys } = this.config.store.checkIntact()
      if (remeasured || lostKeys.length > 0) this.outbox.forgetMissing()
      this.config.checkOtherStorage?.()
    } catch {
      // Storage refused the repair (full, or failing): the next trigger looks again; replay goes on.
    }
  }

  private reportLost(ids: string[]): void {
    for (const id of ids) this.forgetEntry(id)
    this.status.refresh()
    this.events.emit('storageLost', { ids })
  }

  /** Replays now, whatever the backoff: the user asked. */
  flush(): Promise<void> {
    this.replay.skipBackoff()
    return this.trigger()
  }

  /** A replay, even where a Workbox `onSync` replaces the triggers. */
  replayAll(): Promise<void> {
    return this.replay.replay()
  }

  /**
   * Stores an accepted entry: write-ahead, before anything is sent. An older
   * pending entry with the same `dedupeKey` is removed unless it is being
   * sent. Throws (and emits `quotaExceeded`) when it does not fit: nothing
   * already stored is touched.
   */
  store(entry: OutboxEntry, secrets: Map<number, Record<string, string>> = new Map(), position: 'back' | 'front' = 'back'): void {
    let replaced: string | undefined
    try {
      replaced = this.addEvictingCache(entry, position).replaced
    } catch (error) {
      if (error instanceof QuotaExceededError) this.events.emit('quotaExceeded', { error })
      throw error
    }
    secrets.forEach((headers, step) => this.secrets.keep(entry.id, step, headers))
    if (replaced !== undefined && !this.replay.isSending(replaced)) this.supersede(replaced, entry)
    this.status.refresh()
  }

  /**
   * Sends a stored entry now if its lane is free and the network allows,
   * and tells what became of it; otherwise it waits for replay (`queued`).
   */
  async deliver(entry: OutboxEntry, dropRefused: boolean): Promise<LiveOutcome> {
    if (!this.replay.maySendNow(entry.id)) {
      this.events.emit('queued', { entry })
      void this.trigger()
      return { kind: 'waiting' }
    }
    const outcome = await this.replay.sendNow(entry.id, dropRefused)
    if (outcome.kind === 'waiting') this.events.emit('queued', { entry })
    // What queued behind it in its lane may go now.
    if (this.outbox.pendingCount > 0) void this.trigger()
    return outcome
  }

  pending(): PendingItem[] {
    return pendingItems(this.outbox, (id) => this.replay.isSending(id))
  }

  /** Pending entries, oldest first, after expiring those past retention (Workbox's view of a queue). */
  waitingEntries(): OutboxEntry[] {
    this.replay.expire()
    this.status.refresh()
    return this.outbox.all().flatMap((located) => {
      if (located.state !== 'pending' || this.replay.isSending(located.id)) return []
      const entry = this.outbox.read(located.id)
      return entry ? [entry] : []
    })
  }

  /** Removes a waiting entry unsent (Workbox's shift/pop). */
  take(entry: OutboxEntry): void {
    this.outbox.remove(entry)
    this.status.refresh()
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
    if (located.state === 'deadLetter') {
      const dead = this.outbox.read(id)
      const status = dead?.deadLetter?.statusCode
      const refused = status !== undefined && status >= 400 && status < 500 && ![408, 409, 429].includes(status)
      const key = refused || !dead ? await this.newId() : dead.idempotencyKey
      this.outbox.revive(id, key)
    }
    this.replay.clearBackoff(id)
    this.status.refresh()
    return this.trigger()
  }

  /** Removes an entry unsent, at the user's request. */
  discard(id: string): void {
    this.requireEntry(id)
    if (this.replay.isSending(id)) throw new InvalidArgumentError(`entry ${id} is being sent; try again when it settles`)
    this.outbox.remove({ id })
    this.status.refresh()
  }

  /**
   * Empties the queue (logout): a wall. Requests in flight are aborted and
   * their answers ignored, so nothing accepted before it is stored or sent
   * again, and nothing of one user goes out with the next user's token.
   */
  clear(): void {
    this.replay.withdrawAll()
    this.outbox.clear()
    this.secrets.clear()
    this.status.refresh()
  }

  /**
   * The options of the page that takes this queue back from sleep: its
   * `headers` provider, `onAuthExpired`, `classify`, `onError` and
   * `idempotencyHeader` apply from now on, so after a logout the next
   * user's writes never go out with the previous user's credentials. (What
   * shapes the queue itself, such as retry, concurrency and budgets, stays
   * as first opened.)
   */
  adopt(options: OfflineOptions): void {
    this.options = options
  }

  /** Takes events and the status from the runtime and starts replaying. */
  wake(): void {
    if (this.awake) return
    this.awake = true
    this.listen()
    this.replay.start()
    this.ready = this.start()
  }

  /** No page holds the queue: start nothing new (what is in flight settles). */
  sleep(): void {
    if (!this.awake) return
    this.awake = false
    this.replay.stop()
    for (const stop of this.listening.splice(0)) stop()
    this.network.stop()
    this.status.refresh()
  }

  busy(): Promise<void> | undefined {
    return this.replay.busy()
  }

  dispose(): void {
    this.sleep()
    this.status.clear()
    this.events.clear()
    this.config.onDispose?.()
  }

  private async start(): Promise<void> {
    this.filesOpened ??= this.files?.open((id) => this.outbox.locate(id) !== undefined)
    await Promise.all([this.network.start(), this.filesOpened])
    this.status.refresh()
    void this.trigger()
  }

  private listen(): void {
    this.listening.push(
      this.network.onChange((status, wasOnline) => {
        this.status.refresh()
        if (wasOnline === null || status.isConnected === wasOnline) return
        this.events.emit(status.isConnected ? 'online' : 'offline', status)
        // Back online: waiting out a backoff that began while offline helps no one.
        if (status.isConnected) void this.flush()
      }),
    )
    try {
      this.listening.push(
        this.platform.lifecycle.onShow(() => {
          this.visible = true
          this.replay.resume()
          // The host app may have wiped storage while the SDK was in the background.
          void this.trigger()
        }),
        this.platform.lifecycle.onHide(() => {
          this.visible = false
          this.replay.pause()
        }),
      )
    } catch (error) {
      // uni-app H5 and App have no show/hide events: treat the app as always visible.
      if (!(error instanceof UnsupportedError)) throw error
    }
  }

  /**
   * Headers for one send, laid over the stored ones: the request's own
   * secrets for this run, then the app's provider (the truth at send time: a
   * token refreshed since wins over the one the request was made with), then
   * the idempotency key.
   */
  private async sendTimeHeaders(entry: OutboxEntry, idempotencyKey: string): Promise<Record<string, string>> {
    const provided = await providedHeaders(this.options.headers)
    const overridden = new Set(Object.keys(provided).map((name) => name.toLowerCase()))
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(this.secrets.of(entry.id, entry.done ?? 0))) {
      if (!overridden.has(name.toLowerCase())) headers[name] = value
    }
    Object.assign(headers, provided)
    headers[this.options.idempotencyHeader ?? 'Idempotency-Key'] = idempotencyKey
    return headers
  }

  /** An entry left storage: its secrets go, and its kept files are deleted (a crash in between leaves an orphan the next start removes). */
  private forgetEntry(id: string): void {
    this.secrets.forget(id)
    const files = this.files
    if (files) this.fileReleases = this.fileReleases.then(() => files.release(id))
  }

  /**
   * Removes the older entry of a dedupe group. The new one is stored
   * already, so a failure here must not fail the call (an app would retry
   * and store it twice): the old one stays, and replay drops it instead.
   */
  private supersede(id: string, newer: OutboxEntry): void {
    try {
      const old = this.outbox.read(id)
      if (!old || old.dedupeKey !== newer.dedupeKey) return
      this.outbox.remove(old)
      this.events.emit('superseded', { entry: old })
    } catch {
      // Replay checks `isSuperseded` before every send.
    }
  }

  /**
   * Adds the entry; if the device is full, evicts cached reads and tries once
   * more. Over the outbox's own budget, evicting would not help (cached reads
   * have a budget of their own), so the cache is left alone.
   */
  private addEvictingCache(entry: OutboxEntry, position: 'back' | 'front'): { replaced?: string } {
    try {
      return this.outbox.add(entry, position)
    } catch (error) {
      const deviceFull = error instanceof QuotaExceededError && error.limit === 'device'
      if (!deviceFull || (this.config.freeSpace?.(error.requiredBytes) ?? 0) === 0) throw error
      return this.outbox.add(entry, position)
    }
  }

  private requireEntry(id: string) {
    const located = this.outbox.locate(id)
    if (!located) throw new InvalidArgumentError(`no entry with id ${id}`)
    return located
  }
}
