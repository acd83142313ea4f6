import type { StepResult } from './step-reference'
import type { StoredRequest } from './stored-request'
import type { StoredUpload, TaskStep } from './task-step'

/** JSON data the app attaches to an entry for its own UI ("visit to 王记超市"). */
export type EntryMetadata = Record<string, unknown>

/** Why an entry's last attempt failed. */
export interface AttemptError {
  message: string
  /** Which step failed, for tasks (0-based). */
  step?: number
  /** The HTTP status, when there was an answer. */
  statusCode?: number
  /** The answer's body, when there was one (for dead letters). */
  data?: unknown
  at: number
}

/** One accepted action waiting in the outbox, as stored. */
export interface OutboxEntry {
  /** Stable id, for the app and the UI. */
  id: string
  /**
   * Sent with every attempt so the server can drop repeats. Equal to `id`
   * until a dead letter is retried: the server refused the old key for good,
   * so the retry is a new request.
   */
  idempotencyKey: string
  lane: string
  /** When the entry was accepted (ms); retention counts from here. */
  acceptedAt: number
  /** A plain request (one step). Exactly one of `request`, `upload`, `steps` is set. */
  request?: StoredRequest
  /** An upload of a kept file (one step). */
  upload?: StoredUpload
  /** A multi-step task, run in order. */
  steps?: TaskStep[]
  /** Steps already done: after a crash, none of them is sent again. */
  done?: number
  /** Answers of the steps done, for later steps' references. */
  results?: StepResult[]
  metadata?: EntryMetadata
  dedupeKey?: string
  attempts: number
  lastError?: AttemptError
  /** Not before this time (ms) will the entry be tried again. */
  nextAttemptAt?: number
  /** Set while the entry is a dead letter. */
  deadLetter?: AttemptError
}
