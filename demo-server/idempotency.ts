/**
 * The server side of exactly-once: every `Idempotency-Key` is stored with
 * the answer it got, in the same SQLite transaction as the write itself.
 *
 * The rules (as in Stripe's and the IETF draft's idempotency keys):
 * - a new key is claimed (`in_progress`) in a transaction of its own, then
 *   the write runs, and its rows and the stored answer (`done`) are committed
 *   in ONE transaction: a crash either applied the write and recorded its
 *   answer, or did neither;
 * - a repeat with the same payload gets the stored answer again, with
 *   `Idempotent-Replayed: true`, and the write is not run;
 * - a repeat while the original is still running gets 409;
 * - the key with a different payload (method, path or body) gets 422;
 * - a 5xx answer is not stored and the key is released, so the retry
 *   applies afresh; a 4xx answer is stored: the refusal is definitive.
 */
import { errorAnswer, HttpError, type JsonAnswer } from './answers'
import type { DemoDatabase } from './database'

/** The request header carrying the key (the SDK's default `idempotencyHeader`). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key'

/** The answer header that marks a replayed answer. */
export const REPLAYED_HEADER = 'Idempotent-Replayed'

/**
 * How long a key is remembered: 8 days. The SDK keeps an entry for up to its
 * `maxRetentionTime` (7 days by default) and retries it with the same key all
 * that time; a key must outlive every retry, or a request whose answer was
 * lost could be applied again. The key's clock starts at its first arrival,
 * which is never earlier than the entry's creation on the phone; the extra
 * day covers clock skew.
 */
export const DEFAULT_KEY_RETENTION_MS = 8 * 24 * 60 * 60 * 1000

/** The longest key accepted; the SDK's are UUIDs, with `:<step>` for task steps. */
export const MAX_KEY_LENGTH = 255

/** A stored answer, the JSON text exactly as first sent. */
export interface StoredAnswer {
  status: number
  bodyText: string
}

/** What {@link IdempotencyStore.claim} found. */
export type Claim =
  /** The key is new and is now in progress: run the write. */
  | { kind: 'claimed' }
  /** A repeat of a finished request: send the stored answer. */
  | { kind: 'replay'; answer: StoredAnswer }
  /** A repeat while the original is still running. */
  | { kind: 'in-progress' }
  /** The key came with a different payload. */
  | { kind: 'mismatch' }

/** The 409 answer to a repeat while the original runs. */
export const IN_PROGRESS_ANSWER: JsonAnswer = errorAnswer(409, 'in progress')

/** The 422 answer to a key reused with another payload. */
export const MISMATCH_ANSWER: JsonAnswer = errorAnswer(422, 'idempotency key reused with a different payload')

/** Whether `key` is an acceptable key: 1 to 255 visible ASCII characters. */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key)
}

/** Signals, from inside a transaction, an answer that must roll everything back. */
class NotStored extends Error {
  constructor(readonly answer: JsonAnswer) {
    super(`not stored: ${answer.status}`)
  }
}

/** The outcome of {@link IdempotencyStore.commit}. */
export interface Committed {
  answer: JsonAnswer
  /** The JSON text sent (and, for a 2xx/4xx with a key, stored). */
  bodyText: string
  /** True when the write's rows and the answer were committed. */
  stored: boolean
  /** The error behind a 500, for the log. */
  error?: unknown
}

/** The `idempotency` table and the transactions around a write. */
export class IdempotencyStore {
  constructor(private readonly db: DemoDatabase) {}

  /**
   * Looks the key up and, when it is new, claims it, in one immediate
   * transaction that does nothing else: the claim is visible to the next
   * request at once, and costs no more than one small commit.
   */
  claim(key: string, requestHash: string, now: number): Claim {
    const sqlite = this.db.sqlite
    const find = sqlite.prepare<[string], { request_hash: string; state: string; status: number | null; response_body: string | null }>(
      'SELECT request_hash, state, status, response_body FROM idempotency WHERE key = ?',
    )
    const insert = sqlite.prepare("INSERT INTO idempotency (key, request_hash, state, created_at) VALUES (?, ?, 'in_progress', ?)")
    return sqlite
      .transaction((): Claim => {
        const row = find.get(key)
        if (row === undefined) {
          insert.run(key, requestHash, now)
          return { kind: 'claimed' }
        }
        // A different payload is refused even while the original runs: it can never become a valid repeat.
        if (row.request_hash !== requestHash) return { kind: 'mismatch' }
        if (row.state === 'in_progress' || row.status === null || row.response_body === null) return { kind: 'in-progress' }
        return { kind: 'replay', answer: { status: row.status, bodyText: row.response_body } }
      })
      .immediate()
  }

  /**
   * Runs a write and stores its answer under `key` (claimed before) in one
   * transaction. The write runs in a savepoint: when it throws an
   * {@link HttpError}, its partial rows are rolled back and the 4xx is stored
   * as the answer. A 5xx (returned, or any other exception, answered 500)
   * rolls everything back and releases the key. Without a key the write is
   * still one transaction, with the same rollback rules.
   */
  commit(key: string | undefined, write: () => JsonAnswer): Committed {
    const sqlite = this.db.sqlite
    const markDone = sqlite.prepare("UPDATE idempotency SET state = 'done', status = ?, response_body = ? WHERE key = ? AND state = 'in_progress'")
    const inSavepoint = sqlite.transaction(write)
    const run = sqlite.transaction((): Committed => {
      let answer: JsonAnswer
      try {
        answer = inSavepoint()
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        answer = error.toAnswer()
      }
      if (answer.status >= 500) throw new NotStored(answer)
      const bodyText = JSON.stringify(answer.body)
      if (key !== undefined && markDone.run(answer.status, bodyText, key).changes !== 1) {
        // The claim vanished (another server purged it): storing nothing is safer than applying unrecorded.
        throw new Error(`idempotency key ${key} is no longer in progress`)
      }
      return { answer, bodyText, stored: true }
    })
    try {
      return run.immediate()
    } catch (error) {
      if (key !== undefined) this.release(key)
      const answer = error instanceof NotStored ? error.answer : errorAnswer(500, 'internal error')
      return { answer, bodyText: JSON.stringify(answer.body), stored: false, error: error instanceof NotStored ? undefined : error }
    }
  }

  /** Forgets a claimed key whose request was not applied, so its retry applies afresh. */
  release(key: string): void {
    this.db.sqlite.prepare("DELETE FROM idempotency WHERE key = ? AND state = 'in_progress'").run(key)
  }

  /**
   * Releases every in-progress claim. Run at start: a claim left by an
   * earlier process belongs to a request that died with it, and since the
   * write and its answer commit together, nothing of it was applied.
   *
   * @returns how many claims were released.
   */
  releaseAbandoned(): number {
    return this.db.sqlite.prepare("DELETE FROM idempotency WHERE state = 'in_progress'").run().changes
  }

  /**
   * Forgets finished keys first seen before `before` (ms since the epoch).
   *
   * @returns how many keys were forgotten.
   */
  purgeExpired(before: number): number {
    return this.db.sqlite.prepare("DELETE FROM idempotency WHERE state = 'done' AND created_at < ?").run(before).changes
  }
}
