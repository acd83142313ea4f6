/** Counters of what the demo server did, for tests and the field day's report. */
export interface DemoServerStats {
  /** Every request received, reads included. */
  requests: number
  /** Writes whose rows were committed with a 2xx answer (with or without a key). */
  applied: number
  /** Writes refused by their route with a 4xx (stored with the key: a definitive answer). */
  rejected: number
  /** Writes that failed in their route with a 5xx (not stored, key released). Injected failures are counted apart. */
  failed: number
  /** Repeats answered from the idempotency table without running the write. */
  repeatsReplayed: number
  /** Repeats answered 409 because the original was still in progress. */
  inProgress409: number
  /** Keys reused with a different payload, answered 422. */
  mismatch422: number
  /** 503 answers injected by `failureRate`. */
  injected5xx: number
  /** Answers lost on purpose by `dropRate` (the connection was destroyed instead). */
  dropped: number
  /** Writes sent without an `Idempotency-Key` (applied normally, but a retry would apply again). */
  withoutKey: number
}

/** All counters at zero. */
export function emptyStats(): DemoServerStats {
  return { requests: 0, applied: 0, rejected: 0, failed: 0, repeatsReplayed: 0, inProgress409: 0, mismatch422: 0, injected5xx: 0, dropped: 0, withoutKey: 0 }
}
