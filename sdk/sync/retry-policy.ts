/**
 * When to try a failed send again: exponential backoff with jitter,
 * capped, and a server's `Retry-After` honoured when it asks for longer.
 */

/** Backoff settings; all optional. */
export interface RetryOptions {
  /** First delay in ms. Default 1000. */
  baseDelayMs?: number
  /** Longest delay in ms. Default 300000 (5 minutes). */
  maxDelayMs?: number
  /** Attempts before an entry is dead-lettered; default unlimited. */
  maxAttempts?: number
}

export interface RetryPolicy {
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly maxAttempts: number
  /**
   * Delay before attempt `attempts + 1`. `random` is in [0, 1); `retryAfterMs`
   * is what the server asked for, if it did.
   */
  delayFor(attempts: number, random: number, retryAfterMs?: number): number
}

export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const baseDelayMs = options.baseDelayMs ?? 1000
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000
  const maxAttempts = options.maxAttempts ?? Infinity
  return {
    baseDelayMs,
    maxDelayMs,
    maxAttempts,
    delayFor(attempts, random, retryAfterMs) {
      const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1))
      // Jitter keeps a crowd of phones that reconnect together from retrying
      // in lockstep; keeping at least half the delay keeps the backoff real.
      const jittered = exponential / 2 + (exponential / 2) * random
      return Math.max(jittered, Math.min(retryAfterMs ?? 0, maxDelayMs))
    },
  }
}

/**
 * Reads `Retry-After` (seconds or an HTTP date) into milliseconds from `now`;
 * `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: Record<string, string>, now: number): number | undefined {
  const name = Object.keys(header).find((key) => key.toLowerCase() === 'retry-after')
  if (!name) return undefined
  const value = String(header[name]).trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
