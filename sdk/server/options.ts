/**
 * The options every adapter (Express, Koa, plain `node:http`, the core)
 * shares, their defaults, and their checks.
 */
import { InvalidArgumentError } from '../errors'
import type { FingerprintInput } from './fingerprint'
import type { IdempotencyStore } from './key-store'

/**
 * How long a finished key is remembered: 8 days. The SDK retries an entry
 * with the same key for up to its `maxRetentionTime` (7 days by default); a
 * key must outlive every retry, and the extra day covers clock skew.
 */
export const DEFAULT_RETENTION_MS = 8 * 24 * 60 * 60 * 1000

/** How long a claim holds before a retry may take it over (its holder presumably died): 60 s. */
export const DEFAULT_LEASE_MS = 60 * 1000

/** The request header the SDK sends (its default `idempotencyHeader`). */
export const DEFAULT_KEY_HEADER = 'Idempotency-Key'

/** The answer header that marks a replay. */
export const REPLAYED_HEADER = 'Idempotent-Replayed'

/** The longest key accepted; the SDK's are UUIDs, with `:<step>` for task steps. */
export const MAX_KEY_LENGTH = 255

/** Options shared by every adapter. */
export interface IdempotencyCoreOptions {
  /** Where keys and answers live: `sqliteStore(db)`, `postgresStore(pool)`, `redisStore(client)`. */
  store: IdempotencyStore
  /** The request header with the key. Default `Idempotency-Key`. */
  header?: string
  /** Answer 400 to a covered request without a key, instead of passing it through. Default false. */
  required?: boolean
  /** Methods covered. Default POST, PUT, PATCH, DELETE. */
  methods?: readonly string[]
  /**
   * Whether a key is scoped to the method and path as well as to the scope.
   * Default true (the same key on another route is another request). With
   * false, a key is unique per scope, and reusing it on another route is 422.
   */
  scopeToRoute?: boolean
  /** How long a finished key is remembered, from its first arrival. Default {@link DEFAULT_RETENTION_MS} (8 days). */
  retentionMs?: number
  /** How long a claim holds before another attempt may take it over. Must exceed your slowest handler. Default {@link DEFAULT_LEASE_MS}. */
  leaseMs?: number
  /** Answer headers stored and replayed (lower case). Default `content-type`, `location`. */
  replayHeaders?: readonly string[]
  /** The `Retry-After` seconds of a 409 to a duplicate in progress. Default 1. */
  retryAfterSeconds?: number
  /** Replaces the fingerprint (e.g. to ignore a field that changes per attempt). */
  fingerprint?: (input: FingerprintInput) => string
  /** Purge expired keys at most this often, on the back of a request. 0 turns it off. Default 1 hour. */
  purgeIntervalMs?: number
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/** {@link IdempotencyCoreOptions} with every default filled in. */
export interface ResolvedOptions {
  store: IdempotencyStore
  header: string
  required: boolean
  methods: ReadonlySet<string>
  scopeToRoute: boolean
  retentionMs: number
  leaseMs: number
  replayHeaders: readonly string[]
  retryAfterSeconds: number
  fingerprint: ((input: FingerprintInput) => string) | undefined
  purgeIntervalMs: number
  now: () => number
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`)
  }
  return value
}

/** Checks options and fills defaults. @throws InvalidArgumentError on a bad option. */
export function resolveOptions(options: IdempotencyCoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('idempotency options must be an object')
  const { store } = options
  if (typeof store !== 'object' || store === null || typeof store.claim !== 'function' || typeof store.complete !== 'function') {
    throw new InvalidArgumentError('store must be an idempotency store, e.g. sqliteStore(db), postgresStore(pool) or redisStore(client)')
  }
  const header = options.header ?? DEFAULT_KEY_HEADER
  if (typeof header !== 'string' || !/^[A-Za-z0-9-]+$/.test(header)) throw new InvalidArgumentError(`header is not a header name: ${String(header)}`)
  const methods = options.methods ?? ['POST', 'PUT', 'PATCH', 'DELETE']
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string')) throw new InvalidArgumentError('methods must be an array of method names')
  const replayHeaders = options.replayHeaders ?? ['content-type', 'location']
  if (!Array.isArray(replayHeaders) || replayHeaders.some((h) => typeof h !== 'string')) throw new InvalidArgumentError('replayHeaders must be an array of header names')
  if (options.fingerprint !== undefined && typeof options.fingerprint !== 'function') throw new InvalidArgumentError('fingerprint must be a function')
  return {
    store,
    header: header.toLowerCase(),
    required: options.required === true,
    methods: new Set(methods.map((m) => m.toUpperCase())),
    scopeToRoute: options.scopeToRoute !== false,
    retentionMs: positive('retentionMs', options.retentionMs, DEFAULT_RETENTION_MS),
    leaseMs: positive('leaseMs', options.leaseMs, DEFAULT_LEASE_MS),
    replayHeaders: replayHeaders.map((h) => h.toLowerCase()),
    retryAfterSeconds: positive('retryAfterSeconds', options.retryAfterSeconds, 1, true),
    fingerprint: options.fingerprint,
    purgeIntervalMs: positive('purgeIntervalMs', options.purgeIntervalMs, 60 * 60 * 1000, true),
    now: options.now ?? Date.now,
  }
}

/** Whether `key` is acceptable: 1 to 255 visible ASCII characters. */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key)
}
