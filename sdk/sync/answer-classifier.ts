import type { HttpResponse } from '../platform/platform'

/**
 * What to do with an entry after one attempt:
 * - `done`: the server has it; remove the entry.
 * - `retry`: keep it and try again after a backoff.
 * - `authExpired`: refresh credentials (`onAuthExpired`), then retry.
 * - `deadLetter`: the server refused it for good; keep it visible for the user.
 */
export type Verdict = 'done' | 'retry' | 'authExpired' | 'deadLetter'

/** An attempt's outcome: an HTTP answer, or no answer at all (`response` undefined). */
export interface AttemptOutcome {
  response?: HttpResponse
  /** The transport error message when there was no answer. */
  errMsg?: string
  /** A failure on the phone that no retry can fix (a vanished file, a reference to nothing). */
  problem?: string
}

/** Replaces the default classification; return `undefined` to fall back to it. */
export type Classifier = (outcome: AttemptOutcome) => Verdict | undefined

/**
 * The default table:
 *
 * | answer | verdict |
 * | --- | --- |
 * | a problem on the phone (kept file vanished, reference to nothing) | deadLetter |
 * | no answer (offline, timeout, interrupted) | retry |
 * | 2xx, 3xx | done |
 * | 408, 429, 5xx | retry (with backoff, honouring `Retry-After`) |
 * | 409 | retry (the idempotent original is still in progress) |
 * | 401 | authExpired |
 * | other 4xx | deadLetter |
 */
export function defaultClassify(outcome: AttemptOutcome): Verdict {
  if (outcome.problem !== undefined) return 'deadLetter'
  const status = outcome.response?.statusCode
  if (status === undefined) return 'retry'
  if (status >= 200 && status < 400) return 'done'
  if (status === 401) return 'authExpired'
  if (status === 408 || status === 409 || status === 429 || status >= 500) return 'retry'
  return 'deadLetter'
}

/** The default table with `custom` laid over it; a problem on the phone is always a dead letter. */
export function classifyWith(custom: Classifier | undefined): (outcome: AttemptOutcome) => Verdict {
  if (!custom) return defaultClassify
  return (outcome) => (outcome.problem === undefined ? custom(outcome) : undefined) ?? defaultClassify(outcome)
}
