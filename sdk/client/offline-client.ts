import { InvalidArgumentError, TransportError } from '../errors'
import type { HttpResponse, Platform, Unsubscribe } from '../platform/platform'
import { detectPlatform } from '../platform/detect-platform'
import { toHttpRequest, toStoredRequest } from '../queue/stored-request'
import type { SyncEvents } from '../sync/sync-events'
import type { OfflineOptions, OfflineRequestOptions } from './offline-options'
import { QueueService, type PendingItem } from './queue-service'
import type { StatusSource } from './sync-status'

/** What `offline.request()` resolves with. */
export type RequestResult =
  /** The server answered 2xx/3xx at once. */
  | { status: 'sent'; id: string; response: HttpResponse }
  /** Stored; it will be sent when the network allows. `id` finds it in `pending()`. */
  | { status: 'queued'; id: string }
  /** The server refused it at once (4xx other than 401/408/409/429); nothing was stored. */
  | { status: 'rejected'; id: string; response: HttpResponse }

const DEFAULT_QUEUE = 'default'

/**
 * The offline client of one namespace. Build it with {@link createOffline}.
 */
export class OfflineClient {
  /** Resolves once the client knows the network state and has started its first replay. */
  readonly ready: Promise<void>
  /** `online`, `pending`, `inFlight`, `deadLetters`, `syncing`, ... with `subscribe`. */
  readonly status: StatusSource
  readonly platform: Platform
  private readonly service: QueueService

  constructor(private readonly options: OfflineOptions = {}) {
    const namespace = options.namespace ?? 'default'
    if (typeof namespace !== 'string' || namespace === '') throw new InvalidArgumentError('namespace must be a non-empty string')
    this.platform = options.platform ?? detectPlatform()
    this.service = new QueueService(this.platform, namespace, DEFAULT_QUEUE, options)
    this.status = this.service.status
    this.ready = this.service.ready
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
    const entry = await this.service.createEntry({ ...options, request: stored })
    const laneBusy = this.service.outbox.lane(entry.lane).length > 0
    // A live send must not overtake entries already waiting in its lane.
    if (!this.service.canSend() || laneBusy) return this.enqueue(entry)

    const headers = await this.service.sendTimeHeaders(entry.idempotencyKey)
    const liveRequest = toHttpRequest(stored, { ...options.header, ...headers })
    try {
      const response = await this.platform.http.request(liveRequest).result
      void this.service.trigger() // an answer proves the server is reachable
      const verdict = this.service.engine.classifyLive({ response })
      if (verdict === 'done') return { status: 'sent', id: entry.id, response }
      if (verdict === 'deadLetter') return { status: 'rejected', id: entry.id, response }
      return this.enqueue({ ...entry, attempts: 1, lastError: { message: `HTTP ${response.statusCode}`, statusCode: response.statusCode, at: this.platform.clock.now() } })
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      return this.enqueue({ ...entry, attempts: 1, lastError: { message: error.errMsg, at: this.platform.clock.now() } })
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
    this.service.close()
  }

  private enqueue(entry: Parameters<QueueService['store']>[0]): RequestResult {
    this.service.store(entry)
    return { status: 'queued', id: entry.id }
  }
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
