import type { HeadersProvider } from '../queue/headers-provider'
import type { Classifier } from '../sync/answer-classifier'
import type { RetryOptions } from '../sync/retry-policy'
import type { BatchOptions } from '../sync/batch-protocol'
import type { HttpRequest, Platform } from '../platform/platform'
import type { EntryMetadata } from '../queue/outbox-entry'
import type { OfflineReaderOptions } from '../cache'

export type { HeadersProvider }

/**
 * Options of {@link createOffline}. Pages that call `createOffline` for the
 * same namespace share one outbox and one sender; the options of the first
 * client open in the app configure them.
 */
export interface OfflineOptions {
  /**
   * Keeps users apart: two reps on one phone never share an outbox.
   * Use something like `sales:${userId}`. Default `'default'`.
   */
  namespace?: string
  /** Added to every send, live or replayed; evaluated at send time and never stored. */
  headers?: HeadersProvider
  /** Header carrying each entry's idempotency key. Default `'Idempotency-Key'`. */
  idempotencyHeader?: string
  /**
   * Store `Authorization` and `Cookie` given on a request itself. Default
   * `false`: they are never written; they are kept in memory for this run
   * (a replay before the app dies still carries them), and after a restart
   * the `headers` provider stands in (a `warning` event says when there is
   * none).
   */
  persistSecretHeaders?: boolean
  /** Lanes replayed at once. Default 4; at most 8, leaving WeChat's other 2 request slots to the app. */
  concurrency?: number
  /** Backoff: base 1 s, cap 5 min, unlimited attempts by default. */
  retry?: RetryOptions
  /** Overrides how an answer is classified; return `undefined` for the default. */
  classify?: Classifier
  /** Called on a 401 before the entry is retried; refresh the token here. */
  onAuthExpired?: () => unknown
  /** A dead letter holds back the rest of its lane. Default `false`. */
  blockOnDeadLetter?: boolean
  /** Minutes an entry may wait before it expires (with an `expired` event). Default 7 days. */
  maxRetentionTime?: number
  /** Byte budget of the SDK's storage. Default 6 MiB of WeChat's 10 MB. */
  maxStorageBytes?: number
  /** Byte budget of the files kept for uploads. Default 50 MiB of WeChat's 200 MB. */
  maxFileBytes?: number
  /**
   * Replay through a batch endpoint: waiting entries travel up to
   * `maxEntries` (50) or `maxBytes` (512 KiB) a request, each with its own
   * idempotency key and verdict (docs/batch-protocol.md). Without it, one
   * request per entry. A server without the endpoint (404, 405, 501) makes
   * the run fall back to one request per entry, with a `batchFallback` event.
   *
   * @example
   * ```ts
   * createOffline({ namespace, headers, batch: { url: 'https://api.example.com/batch' } })
   * ```
   */
  batch?: BatchOptions
  /** Offline reads: caches and their expiration, the file budget, a precache manifest (see docs/offline-reads.md). */
  reads?: OfflineReaderOptions
  /**
   * Where errors thrown by the app's own listeners (`status.subscribe`,
   * `on()`) go. They never stop replay. Default: `console.error`.
   */
  onError?: (error: unknown) => void
  /** The runtime; found from the global `wx` or `uni` when omitted. Tests pass the emulator's. */
  platform?: Platform
}

/** Options of `offline.request()`: a `wx.request` plus where it goes in the outbox. */
export interface OfflineRequestOptions extends HttpRequest {
  /** Ordering scope: entries are sent oldest first within a lane. Default: the one shared lane. */
  lane?: string
  /** A newer pending entry replaces an older one with the same key (e.g. `visit:12:status`). */
  dedupeKey?: string
  /** Data for the app's own UI, kept with the entry. */
  metadata?: EntryMetadata
}
