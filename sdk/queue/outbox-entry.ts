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
  /**
   * The answer's body, when there was one: whole when its JSON is at most
   * 2 KiB, else a text excerpt of that size ending in `…` (see `truncated`),
   * so an error page repeated over a backlog cannot fill the phone.
   */
  data?: unknown
  /** True when `data` is an excerpt of a longer body. */
  truncated?: true
  at: number
}

/** What every entry has, whatever it sends. */
interface EntryBase {
  /** Stable id, for the app and the UI. */
  id: string
  /**
   * Sent with every attempt so the server can drop repeats. Equal to `id`
   * until a dead letter the server refused is retried: that retry is a new
   * request.
   */
  idempotencyKey: string
  lane: string
  /** When the entry was accepted (ms); retention counts from here. */
  acceptedAt: number
  /** Steps already done: after a crash, none of them is sent again. */
  done?: number
  /** Answers of the steps done, for later steps' references. */
  results?: StepResult[]
  metadata?: EntryMetadata
  dedupeKey?: string
  attempts: number
  lastError?: AttemptError
  /** Not before this time (ms) will the entry be tried again (shown to the user; replay keeps its own timers). */
  nextAttemptAt?: number
  /** Set while the entry is a dead letter. */
  deadLetter?: AttemptError
}

/** A plain request (one step). */
export interface RequestEntry extends EntryBase {
  request: StoredRequest
  upload?: never
  steps?: never
}

/** An upload of a kept file (one step). */
export interface UploadEntry extends EntryBase {
  upload: StoredUpload
  request?: never
  steps?: never
}

/** A multi-step task, run in order. */
export interface TaskEntry extends EntryBase {
  steps: TaskStep[]
  request?: never
  upload?: never
}

/** One accepted action waiting in the outbox, as stored: exactly one of `request`, `upload`, `steps`. */
export type OutboxEntry = RequestEntry | UploadEntry | TaskEntry

/** What an entry sends, without its bookkeeping. */
export type EntryPayload = Pick<RequestEntry, 'request'> | Pick<UploadEntry, 'upload'> | Pick<TaskEntry, 'steps'>

/** The steps of an entry, oldest first: a plain request or upload is a task of one. */
export function stepsOf(entry: OutboxEntry): TaskStep[] {
  if (entry.steps) return entry.steps
  if (entry.upload) return [{ upload: entry.upload }]
  return [{ request: entry.request }]
}
