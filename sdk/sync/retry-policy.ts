import { InvalidArgumentError } from '../errors'

/**
 * When to try a failed send again: exponential backoff with jitter,
 * capped, and a server's `Retry-After` honoured when it asks for longer.
 */

const DEFAULT_BASE_DELAY_MS = 1000
const DEFAULT_MAX_DELAY_MS = 5 * 60_000

/** Backoff settings; all optional. */
export interface RetryOptions {
  /** First delay in ms. Default 1000. */
  baseDelayMs?: number
  /** Longest delay in ms; when given with `baseDelayMs`, not below it. Default 300000 (5 minutes). */
  maxDelayMs?: number
  /** Attempts before an entry is dead-lettered: an integer from 1, or `Infinity`; default unlimited. */
  maxAttempts?: number
}

/** A checked {@link RetryOptions} with its defaults applied. */
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

function positiveDelay(value: unknown, what: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`retry.${what} must be a finite number of milliseconds above 0, got ${String(value)}`)
  }
}

/**
 * Checks backoff settings before anything uses them: a `NaN` delay would
 * retry in a tight loop, `maxAttempts: 0` would dead-letter without trying.
 * @throws {@link InvalidArgumentError} naming the bad field.
 */
export function checkRetryOptions(options: unknown): asserts options is RetryOptions | undefined {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('retry must be an object like { baseDelayMs, maxDelayMs, maxAttempts }')
  }
  const { baseDelayMs, maxDelayMs, maxAttempts } = options as Record<string, unknown>
  positiveDelay(baseDelayMs, 'baseDelayMs')
  positiveDelay(maxDelayMs, 'maxDelayMs')
  if (typeof baseDelayMs === 'number' && typeof maxDelayMs === 'number' && maxDelayMs < baseDelayMs) {
    throw new InvalidArgumentError(`retry.maxDelayMs (${maxDelayMs}) is below retry.baseDelayMs (${baseDelayMs}); raise maxDelayMs`)
  }
  const unlimited = maxAttempts === undefined || maxAttempts === Infinity
  if (!unlimited && !(typeof maxAttempts === 'number' && Number.isSafeInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new InvalidArgumentError(`retry.maxAttempts must be an integer from 1 (or Infinity), got ${String(maxAttempts)}`)
  }
}

/**
 * The backoff of one queue.
 * @throws {@link InvalidArgumentError} for options {@link checkRetryOptions} refuses.
 */
export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  checkRetryOptions(options)
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
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
