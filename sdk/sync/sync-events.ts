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
  /** A stored entry was not what the SDK wrote (someone else wrote under its key); it is left untouched and skipped. */
  corrupted: { id: string; error: StoreCorruptedError }
}
