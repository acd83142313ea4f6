import { InvalidArgumentError } from '../errors'
import type { HttpResponse, Platform, Unsubscribe } from '../platform/platform'
import { detectPlatform } from '../platform/detect-platform'
import type { AttemptError, EntryPayload } from '../queue/outbox-entry'
import { toStoredRequest } from '../queue/stored-request'
import type { LiveOutcome } from '../sync/replay-engine'
import type { SyncEvents } from '../sync/sync-events'
import type { OfflineReader } from '../cache'
import { newEntry, type EntryPlacement } from './entry-factory'
import { checkOfflineOptions, checkPlacement } from './option-checks'
import { checkBatchOptions } from '../sync/batch-protocol'
import { NamespaceRuntime } from './namespace-runtime'
import type { OfflineOptions, OfflineRequestOptions } from './offline-options'
import type { PendingItem } from './pending-view'
import type { QueueEngine } from './queue-engine'
import { secretHeadersIn } from './run-secrets'
import { acquireShared, releaseShared } from './shared-registry'
import type { StatusSource } from './sync-status'
import { TaskBuilder, type CheckedTask, type TaskStepOptions, type UploadInput } from './task-builder'

/** What `offline.request()` (and `uploadFile`, `task`) resolves with. */
export type RequestResult =
  /** The server answered 2xx/3xx at once. */
  | { status: 'sent'; id: string; response: HttpResponse }
  /** Stored; it will be sent when the network allows. `id` finds it in `pending()`. */
  | { status: 'queued'; id: string }
  /** The server refused it at once (4xx other than 401/408/409/429); nothing is kept. */
  | { status: 'rejected'; id: string; response: HttpResponse }
  /** It failed for good while the call waited; it is kept as a dead letter (see `pending()`). */
  | { status: 'deadLettered'; id: string; error: AttemptError }
  /** `clear()` (logout) emptied the outbox while it was being sent; whether the server got it is unknown. */
  | { status: 'withdrawn'; id: string }

function toRequestResult(id: string, outcome: LiveOutcome): RequestResult {
  switch (outcome.kind) {
    case 'sent':
      return { status: 'sent', id, response: outcome.response }
    case 'rejected':
      return { status: 'rejected', id, response: outcome.response }
    case 'deadLettered':
      return { status: 'deadLettered', id, error: outcome.error }
    case 'withdrawn':
      return { status: 'withdrawn', id }
    case 'waiting':
      return { status: 'queued', id }
  }
}

/**
 * The offline client of one namespace. Build it with {@link createOffline}.
 * Every page may build its own: clients of one namespace share one outbox
 * and one sender, and `close()` (in `onUnload`) lets go of this page's
 * share and its listeners.
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
  private readonly runtime: NamespaceRuntime
  private readonly engine: QueueEngine
  private readonly tasks: TaskBuilder
  private readonly registryName: string
  /** This client's own listeners, removed by `close()`. */
  private readonly listeners = new Set<Unsubscribe>()
  private closed = false

  constructor(private readonly options: OfflineOptions = {}) {
    checkOfflineOptions(options)
    checkBatchOptions(options.batch)
    const namespace = options.namespace ?? 'default'
    this.platform = options.platform ?? detectPlatform()
    this.registryName = `offline:${namespace}`
    const { value: runtime, woke } = acquireShared(this.platform.storage, this.registryName, () => NamespaceRuntime.open(this.platform, namespace, options))
    // The page that takes a sleeping namespace back (the next user, after a logout) brings its credentials.
    if (woke) runtime.engine.adopt(options)
    this.runtime = runtime
    this.engine = this.runtime.engine
    const reader = this.runtime.reader
    this.ready = this.runtime.ready
    this.status = {
      get: () => this.engine.status.get(),
      subscribe: (listener) => this.own(this.engine.status.subscribe(listener)),
    }
    this.tasks = new TaskBuilder(this.platform, this.engine.files, this.keepsSecrets)
    this.get = (getOptions) => reader.get(getOptions)
    this.image = (url) => reader.image(url)
    this.manifest = reader.manifest
  }

  /**
   * Keeps the request, then sends it now when it can; otherwise later,
   * exactly once (the same `Idempotency-Key` on every attempt) and in order
   * within its lane. It is stored before the first byte leaves, so a kill
   * while it is on the wire loses nothing: the next start sends it again
   * under the same key.
   *
   * @example
   * ```ts
   * const r = await offline.request({ url, method: 'POST', data: visit, metadata: { title: '王记超市' } })
   * if (r.status === 'queued') wx.showToast({ title: '当前处于离线状态，数据将暂存在本地', icon: 'none' })
   * ```
   */
  async request(options: OfflineRequestOptions): Promise<RequestResult> {
    const stored = toStoredRequest(options, this.keepsSecrets)
    checkPlacement(options)
    const secrets = new Map([[0, this.secretsOf(options.header)]])
    return this.accept({ request: stored }, options, secrets, true)
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
    checkPlacement(options ?? {})
    const checked = await this.tasks.check([{ upload: options }])
    return this.keepAndSend(options, checked, [options?.header], ([step]) => ({ upload: (step as { upload: UploadInput }).upload }))
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
    checkPlacement(options)
    const checked = await this.tasks.check(options.steps)
    const headers = options.steps.map((step) => ('upload' in step ? step.upload.header : step.request.header))
    return this.keepAndSend(options, checked, headers, (steps) => ({ steps }))
  }

  /** Storage and file bytes in use against their budgets, for a sync page. */
  usage(): StorageUsage {
    const store = this.runtime.storeUsage()
    const files = this.engine.files?.usage
    return {
      storageBytes: store.bytes,
      storageBudgetBytes: store.maxBytes,
      fileBytes: files?.bytes ?? 0,
      fileBudgetBytes: files?.budgetBytes ?? 0,
    }
  }

  /** Entries waiting or dead-lettered, oldest first, for a "待同步" page. */
  pending(): PendingItem[] {
    return this.engine.pending()
  }

  /** Sends what is waiting now, whatever its backoff (joins a replay already running). */
  flush(): Promise<void> {
    return this.engine.flush()
  }

  /** Sends an entry again now; a dead letter goes back to the end of its lane. */
  retry(id: string): Promise<void> {
    return this.engine.retry(id)
  }

  /** Drops an entry unsent, at the user's request. */
  discard(id: string): void {
    this.engine.discard(id)
  }

  /**
   * Empties the outbox, e.g. on logout: a wall. Sends in flight are aborted
   * and their answers ignored; nothing accepted before it is sent again.
   */
  clear(): void {
    this.engine.clear()
  }

  /** Listens to an event (`queued`, `sent`, `retryScheduled`, `deadLettered`, `expired`, `drained`, ...); `close()` removes it. */
  on<Name extends keyof SyncEvents>(name: Name, listener: (payload: SyncEvents[Name]) => void): Unsubscribe {
    return this.own(this.engine.events.on(name, listener))
  }

  /**
   * This page is done with the client (call it in `onUnload`): its
   * listeners are removed. The namespace's outbox keeps working while
   * another page holds a client; with the last one it stops, once what is
   * on the wire has settled. What is stored stays for the next start.
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const stop of [...this.listeners]) stop()
    releaseShared(this.platform.storage, this.registryName, this.runtime)
  }

  private get keepsSecrets(): boolean {
    return this.options.persistSecretHeaders ?? false
  }

  /** Secret headers to keep in memory for this run (none when they are stored anyway). */
  private secretsOf(header: Record<string, string> | undefined): Record<string, string> {
    return this.keepsSecrets ? {} : secretHeadersIn(header)
  }

  private own(unsubscribe: Unsubscribe): Unsubscribe {
    const stop = (): void => {
      this.listeners.delete(stop)
      unsubscribe()
    }
    this.listeners.add(stop)
    return stop
  }

  /** Stores the entry (write-ahead), then sends it now or leaves it to replay. */
  private async accept(
    payload: EntryPayload,
    placement: EntryPlacement,
    secrets: Map<number, Record<string, string>>,
    dropRefused: boolean,
  ): Promise<RequestResult> {
    const entry = newEntry(this.platform, await this.engine.newId(), payload, placement)
    this.engine.store(entry, secrets)
    this.warnIfSecretsWillBeLost(entry.id, secrets)
    return toRequestResult(entry.id, await this.engine.deliver(entry, dropRefused))
  }

  /** `secrets` holds only secret headers (see `secretHeadersIn`), so their names are what the warning lists. */
  private warnIfSecretsWillBeLost(id: string, secrets: Map<number, Record<string, string>>): void {
    if (this.options.headers !== undefined) return
    const names = [...new Set([...secrets.values()].flatMap((headers) => Object.keys(headers).map((name) => name.toLowerCase())))]
    if (names.length === 0) return
    this.engine.events.emit('warning', {
      code: 'SECRET_HEADERS_NOT_KEPT',
      id,
      headers: names,
      message: `${names.join(', ')} of entry ${id} is kept in memory only; after a restart it is sent without it. Pass a \`headers\` provider to createOffline.`,
    })
  }

  /**
   * Write-ahead for uploads and tasks: the files are kept and the entry is
   * stored before anything is sent, then (when it can) sent at once, the
   * call waiting for the verdict. Nothing is lost if the app dies mid-upload.
   */
  private async keepAndSend(
    placement: EntryPlacement,
    checked: CheckedTask,
    headers: Array<Record<string, string> | undefined>,
    shape: (steps: CheckedTask['stored']) => EntryPayload,
  ): Promise<RequestResult> {
    const id = await this.engine.newId()
    const entry = newEntry(this.platform, id, shape(await this.tasks.keep(id, checked)), placement)
    const secrets = new Map(headers.map((header, step) => [step, this.secretsOf(header)]))
    try {
      this.engine.store(entry, secrets)
    } catch (error) {
      await this.engine.files?.release(id)
      throw error
    }
    this.warnIfSecretsWillBeLost(id, secrets)
    return toRequestResult(id, await this.engine.deliver(entry, false))
  }
}

/** What `offline.usage()` reports. */
export interface StorageUsage {
  storageBytes: number
  storageBudgetBytes: number
  fileBytes: number
  fileBudgetBytes: number
}

export type { EntryPlacement }

/**
 * Creates the offline client of one namespace. Pages may each create their
 * own: clients of one namespace share one outbox and one sender.
 *
 * @example
 * ```ts
 * export const offline = createOffline({
 *   namespace: `sales:${userId}`,
 *   headers: () => ({ Authorization: `Bearer ${token()}` }),
 * })
 * // in a page
 * onLoad() { this.stop = offline.status.subscribe((s) => this.setData({ sync: s })) },
 * onUnload() { this.stop() },
 * ```
 */
export function createOffline(options: OfflineOptions = {}): OfflineClient {
  return new OfflineClient(options)
}
