import { InvalidArgumentError, TransportError } from '../errors'
import type { HttpResponse, Platform, Unsubscribe } from '../platform/platform'
import { detectPlatform } from '../platform/detect-platform'
import { toHttpRequest, toStoredRequest } from '../queue/stored-request'
import type { SyncEvents } from '../sync/sync-events'
import type { AttemptError, EntryMetadata, OutboxEntry } from '../queue/outbox-entry'
import type { OfflineOptions, OfflineRequestOptions } from './offline-options'
import type { StoredUpload, TaskStep } from '../queue/task-step'
import { TaskBuilder, type CheckedTask, type TaskStepOptions, type UploadInput } from './task-builder'
import { QueueService, type PendingItem } from './queue-service'
import type { StatusSource } from './sync-status'
import { createOfflineReader, type OfflineReader } from '../cache'

/** What `offline.request()` resolves with. */
export type RequestResult =
  /** The server answered 2xx/3xx at once. */
  | { status: 'sent'; id: string; response: HttpResponse }
  /** Stored; it will be sent when the network allows. `id` finds it in `pending()`. */
  | { status: 'queued'; id: string }
  /** The server refused it at once (4xx other than 401/408/409/429); nothing was stored. */
  | { status: 'rejected'; id: string; response: HttpResponse }
  /** An upload or task failed for good while the call waited; it is kept as a dead letter (see `pending()`). */
  | { status: 'deadLettered'; id: string; error: AttemptError }

const DEFAULT_QUEUE = 'default'

function checkNamespace(namespace: unknown): void {
  if (typeof namespace !== 'string' || namespace === '' || namespace.length > 122) {
    throw new InvalidArgumentError('namespace must be a string of 1 to 122 characters')
  }
  // `<namespace>~cache` is the read cache's own store; `/` would let one namespace see another's keys.
  if (namespace.includes('/') || namespace.endsWith('~cache')) {
    throw new InvalidArgumentError(`namespace "${namespace}" may not contain "/" or end with "~cache"`)
  }
}

/**
 * The offline client of one namespace. Build it with {@link createOffline}.
 */
export class OfflineClient {
  /** Resolves once the client knows the network state and has started its first replay. */
  readonly ready: Promise<void>
  /**
   * A GET answered from the network or the cache, as `strategy` says
   * (`networkFirst`, `cacheFirst`, `staleWhileRevalidate`, `networkOnly`,
   * `cacheOnly`); the result says where it came from.
   *
   * @example
   * ```ts
   * const { data, fromCache } = await offline.get({ url: `${api}/customers`, strategy: 'staleWhileRevalidate' })
   * ```
   */
  readonly get: OfflineReader['get']
  /** A local path for `<image src>`, downloaded once and kept (least recently used out first). */
  readonly image: OfflineReader['image']
  /** The precache manifest: `offline.manifest(source)`, `.update()`, `.status`, `.on(event)`. */
  readonly manifest: OfflineReader['manifest']
  /** `online`, `pending`, `inFlight`, `deadLetters`, `syncing`, ... with `subscribe`. */
  readonly status: StatusSource
  readonly platform: Platform
  private readonly service: QueueService
  private readonly tasks: TaskBuilder
  private readonly reader: OfflineReader

  constructor(private readonly options: OfflineOptions = {}) {
    const namespace = options.namespace ?? 'default'
    checkNamespace(namespace)
    this.platform = options.platform ?? detectPlatform()
    this.service = new QueueService(this.platform, namespace, DEFAULT_QUEUE, options)
    this.reader = createOfflineReader({
      platform: this.platform,
      namespace,
      network: this.service.network,
      options: { headers: options.headers, ...options.reads },
    })
    // Cached reads always make room for queued writes, never the other way round.
    this.service.freeSpace = (bytes) => this.reader.freeSpace(bytes)
    this.status = this.service.status
    this.ready = Promise.all([this.service.ready, this.reader.ready]).then(() => undefined)
    this.tasks = new TaskBuilder(this.platform, this.service.files, options.persistSecretHeaders ?? false)
    this.get = (getOptions) => this.reader.get(getOptions)
    this.image = (url) => this.reader.image(url)
    this.manifest = this.reader.manifest
  }

  /**
   * Sends now when it can; otherwise keeps the request and sends it later,
   * exactly once (the same `Idempotency-Key` on every attempt) and in order
   * within its lane.
   *
   * @example
   * ```ts
   * const r = await offline.request({ url, method: 'POST', data: visit, metadata: { title: '王记超市' } })
   * if (r.status === 'queued') wx.showToast({ title: '当前处于离线状态，数据将暂存在本地', icon: 'none' })
   * ```
   */
  async request(options: OfflineRequestOptions): Promise<RequestResult> {
    const stored = toStoredRequest(options, this.options.persistSecretHeaders ?? false)
    const { lane, dedupeKey, metadata } = options
    const entry = await this.service.createEntry({ request: stored, lane, dedupeKey, metadata })
    // A live send must not overtake entries already waiting (or live) in its lane.
    if (!this.service.laneIsFree(entry.lane)) return this.enqueue(entry, 'back')

    const release = this.service.holdLane(entry.lane)
    let answered = false
    try {
      const headers = await this.service.sendTimeHeaders(entry.idempotencyKey)
      const response = await this.platform.http.request(toHttpRequest(stored, { ...options.header, ...headers })).result
      answered = true
      const verdict = this.service.engine.classifyLive({ response })
      if (verdict === 'done') return { status: 'sent', id: entry.id, response }
      if (verdict === 'deadLetter') return { status: 'rejected', id: entry.id, response }
      return this.enqueueFailedLive(entry, { message: `HTTP ${response.statusCode}`, statusCode: response.statusCode, at: this.platform.clock.now() })
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      return this.enqueueFailedLive(entry, { message: error.errMsg, at: this.platform.clock.now() })
    } finally {
      release()
      // An answer proves the server is reachable; and what queued behind this send may go now.
      if (answered || this.service.outbox.lane(entry.lane).length > 0) void this.service.trigger()
    }
  }

  /**
   * Uploads a file, or keeps it to upload later. The file is first copied
   * into the SDK's folder (a temp path from `chooseMedia` may not survive a
   * restart), then sent through `wx.uploadFile`; the copy is deleted once the
   * server has it. JSON answers are parsed.
   *
   * @example
   * ```ts
   * const { tempFiles } = await wx.chooseMedia({ count: 1, mediaType: ['image'] })
   * await offline.uploadFile({ url, filePath: tempFiles[0].tempFilePath, name: 'photo', compress: { quality: 80 } })
   * ```
   */
  async uploadFile(options: UploadInput & EntryPlacement): Promise<RequestResult> {
    const checked = await this.tasks.check([{ upload: options }])
    return this.keepAndSend(options, checked, ([step]) => ({ upload: (step as { upload: StoredUpload }).upload }))
  }

  /**
   * Runs several requests and uploads in order as one pending item; a later
   * step uses an earlier step's answer through `{ $ref: 'steps.0.data.url' }`.
   * Progress is stored after each step, so after a crash no finished step is
   * sent again, and a permanent failure dead-letters the whole task, naming
   * the step; `retry(id)` resumes from it.
   *
   * @example
   * ```ts
   * await offline.task({
   *   lane: `delivery:${trackingNo}`,
   *   steps: [
   *     { upload: { url: `${api}/photos`, filePath: signature, name: 'file' } },
   *     { upload: { url: `${api}/photos`, filePath: parcel, name: 'file' } },
   *     { request: { url: `${api}/deliveries`, method: 'POST',
   *                  data: { trackingNo, signature: { $ref: 'steps.0.data.url' }, photo: { $ref: 'steps.1.data.url' } } } },
   *   ],
   * })
   * ```
   */
  async task(options: { steps: TaskStepOptions[] } & EntryPlacement): Promise<RequestResult> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('task options must be an object')
    const checked = await this.tasks.check(options.steps)
    return this.keepAndSend(options, checked, (steps) => ({ steps }))
  }

  /** Storage and file bytes in use against their budgets, for a sync page. */
  usage(): StorageUsage {
    const store = this.service.storage.usage()
    const files = this.service.files?.usage
    return {
      storageBytes: store.bytes,
      storageBudgetBytes: store.maxBytes,
      fileBytes: files?.bytes ?? 0,
      fileBudgetBytes: files?.budgetBytes ?? 0,
    }
  }

  /** Entries waiting or dead-lettered, oldest first, for a "待同步" page. */
  pending(): PendingItem[] {
    return this.service.pending()
  }

  /** Replays now (joins a replay already running). */
  flush(): Promise<void> {
    return this.service.trigger()
  }

  /** Sends an entry again now; a dead letter goes back to the end of its lane. */
  retry(id: string): Promise<void> {
    return this.service.retry(id)
  }

  /** Drops an entry unsent, at the user's request. */
  discard(id: string): void {
    this.service.discard(id)
  }

  /** Empties the outbox, e.g. on logout. */
  clear(): void {
    this.service.clear()
  }

  /** Listens to an event (`queued`, `sent`, `retryScheduled`, `deadLettered`, `expired`, `drained`, ...). */
  on<Name extends keyof SyncEvents>(name: Name, listener: (payload: SyncEvents[Name]) => void): Unsubscribe {
    return this.service.events.on(name, listener)
  }

  /** Stops listening and releases the namespace; what is stored stays for the next start. */
  close(): void {
    this.reader.close()
    this.service.close()
  }

  private enqueue(entry: OutboxEntry, position: 'back' | 'front'): RequestResult {
    this.service.store(entry, position)
    return { status: 'queued', id: entry.id }
  }

  /**
   * A live send that failed goes in front: its lane was empty when it left,
   * so whatever queued behind it meanwhile is newer.
   */
  private enqueueFailedLive(entry: OutboxEntry, lastError: AttemptError): RequestResult {
    return this.enqueue({ ...entry, attempts: 1, lastError }, 'front')
  }

  /**
   * Write-ahead for uploads and tasks: the files are kept and the entry is
   * stored before anything is sent, then (when online) the call waits for the
   * replay's verdict on it. Nothing is lost if the app dies mid-upload.
   */
  private async keepAndSend(
    placement: EntryPlacement,
    checked: CheckedTask,
    shape: (steps: TaskStep[]) => Pick<OutboxEntry, 'upload' | 'steps'>,
  ): Promise<RequestResult> {
    const entry = await this.service.createEntry({ lane: placement.lane, dedupeKey: placement.dedupeKey, metadata: placement.metadata })
    const steps = await this.tasks.keep(entry.id, checked)
    try {
      this.service.store({ ...entry, ...shape(steps) })
    } catch (error) {
      await this.service.files?.release(entry.id)
      throw error
    }
    return this.waitForOutcome(entry.id)
  }

  /** Replays now and reports what became of entry `id`: sent, dead-lettered, or still queued. */
  private waitForOutcome(id: string): Promise<RequestResult> {
    const queued: RequestResult = { status: 'queued', id }
    if (!this.service.canSend()) return Promise.resolve(queued)
    return new Promise((resolve) => {
      const stops = [
        this.on('sent', ({ entry, response }) => entry.id === id && finish({ status: 'sent', id, response })),
        this.on('deadLettered', ({ entry }) => entry.id === id && finish({ status: 'deadLettered', id, error: entry.deadLetter as AttemptError })),
        this.on('retryScheduled', ({ entry }) => entry.id === id && finish(queued)),
      ]
      const finish = (result: RequestResult): void => {
        stops.forEach((stop) => stop())
        resolve(result)
      }
      void this.service.trigger().then(() => finish(queued))
    })
  }
}

/** What `offline.usage()` reports. */
export interface StorageUsage {
  storageBytes: number
  storageBudgetBytes: number
  fileBytes: number
  fileBudgetBytes: number
}

/** Where an entry goes in the outbox and what the UI shows for it. */
export interface EntryPlacement {
  lane?: string
  dedupeKey?: string
  metadata?: EntryMetadata
}

/**
 * Creates the offline client of one namespace.
 *
 * @example
 * ```ts
 * export const offline = createOffline({
 *   namespace: `sales:${userId}`,
 *   headers: () => ({ Authorization: `Bearer ${token()}` }),
 * })
 * offline.status.subscribe((s) => this.setData({ sync: s }))
 * ```
 */
export function createOffline(options: OfflineOptions = {}): OfflineClient {
  return new OfflineClient(options)
}
