import type { StoreCorruptedError } from '../errors'
import type { HttpResponse, NetworkStatus } from '../platform/platform'
import type { OutboxEntry } from '../queue/outbox-entry'

/** Events of an outbox and its replay, by name. */
export interface SyncEvents {
  /** An action was stored to be sent later. */
  queued: { entry: OutboxEntry }
  /** An attempt starts (`attempt` counts from 1). */
  sending: { entry: OutboxEntry; attempt: number }
  /** A step of a task succeeded; its progress is stored. */
  progress: { entry: OutboxEntry; done: number; total: number }
  /** The server accepted the entry (its last step); it has been removed. */
  sent: { entry: OutboxEntry; response: HttpResponse }
  /** The attempt failed; the entry waits until `nextAttemptAt`. */
  retryScheduled: { entry: OutboxEntry; nextAttemptAt: number }
  /** The server refused the entry for good; it is kept as a dead letter. */
  deadLettered: { entry: OutboxEntry }
  /** The entry outlived `maxRetentionTime` and was removed unsent. */
  expired: { entry: OutboxEntry }
  /** A newer entry with the same `dedupeKey` replaced this one before it was sent. */
  superseded: { entry: OutboxEntry }
  /** Nothing is pending any more. */
  drained: Record<string, never>
  online: NetworkStatus
  offline: NetworkStatus
  /** An action could not be stored: the budget or the device is full. */
  quotaExceeded: { error: Error }
  /**
   * Storage the SDK had written is gone: the host app cleared it
   * (`wx.clearStorageSync()`), or the user did. `ids` are the outbox entries
   * lost with it. The SDK has re-measured and accepts writes again.
   */
  storageLost: { ids: string[] }
  /**
   * The batch endpoint does not speak the batch protocol (404, 405, 501,
   * ...): this run sends one request per entry from now on.
   */
  batchFallback: { reason: string }
  /** Something the app should fix, though nothing failed (see {@link SyncWarning}). */
  warning: SyncWarning
  /** A stored entry was not what the SDK wrote (someone else wrote under its key); it is left untouched and skipped. */
  corrupted: { id: string; error: StoreCorruptedError }
}

/**
 * `SECRET_HEADERS_NOT_KEPT`: a request carried `Authorization` or `Cookie`
 * in its own `header`. Those are never written to storage: they are kept in
 * memory for this run only, and after a restart nothing stands in for them
 * because no `headers` provider is configured, so a replay then goes
 * without credentials. Give `createOffline` a `headers` provider.
 */
export interface SyncWarning {
  code: 'SECRET_HEADERS_NOT_KEPT'
  /** The entry concerned. */
  id: string
  /** The header names, lower-case. */
  headers: string[]
  message: string
}
