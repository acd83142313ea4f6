import { resolveReaderOptions } from '../cache/reader-options'
import { InvalidArgumentError } from '../errors'
import { checkHeaderFields, countCharacters, hasControlCharacter, isHttpToken, isWellFormed } from '../queue/request-vocabulary'
import { SECRET_HEADERS } from '../queue/stored-request'
import { toJsonText } from '../store'
import { checkRetryOptions } from '../sync/retry-policy'
import type { OfflineOptions } from './offline-options'

/**
 * The checks a client runs before it opens, stores or sends anything: pure
 * functions, so a refused call leaves nothing behind. Limits count the
 * user's own characters (code points: `'客'` and `'🚚'` are one each), and
 * text that no encoding can carry (a lone surrogate) is refused here with
 * an `InvalidArgumentError`, never later as a raw `URIError`.
 */

/** The most lanes replayed at once: WeChat allows 10 requests in flight and the app needs some. */
export const MAX_CONCURRENCY = 8
/** Longest namespace, in characters: the read cache's store adds `~cache` to it. */
export const MAX_NAMESPACE_CHARACTERS = 122
/** Longest lane, in characters, whatever the script. */
export const MAX_LANE_CHARACTERS = 64
/** Longest `dedupeKey`, in characters, whatever the script. */
export const MAX_DEDUPE_KEY_CHARACTERS = 128

/**
 * Headers the runtime or the SDK owns, which cannot carry the idempotency
 * key: `wx.request` refuses `Referer`, the transport sets the rest.
 */
const RESERVED_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'referer',
  'origin',
  'user-agent',
  'accept-encoding',
]

/** Where an entry goes and what the UI shows for it, as the app passed it (unchecked). */
export interface PlacementInput {
  lane?: unknown
  dedupeKey?: unknown
  metadata?: unknown
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** A string of `min`..`max` characters (code points), with no lone surrogate. */
function checkText(value: unknown, what: string, min: number, max: number): void {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string, got ${typeof value}`)
  if (!isWellFormed(value)) throw new InvalidArgumentError(`${what} must not contain a lone surrogate (half of an emoji, often from slicing a string)`)
  const length = countCharacters(value)
  if (length < min || length > max) {
    throw new InvalidArgumentError(min > 0 ? `${what} must be ${min} to ${max} characters, got ${length}` : `${what} must be at most ${max} characters, got ${length}`)
  }
}

/** Every string in `value` (keys included) is well formed; JSON-faithfulness is `toJsonText`'s call. */
function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) throw new InvalidArgumentError(`${path} must not contain a lone surrogate`)
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkStrings(item, `${path}[${index}]`))
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormed(key)) throw new InvalidArgumentError(`${path} has a key with a lone surrogate`)
      checkStrings(item, `${path}.${key}`)
    }
  }
}

/**
 * Checks a namespace: 1 to 122 characters, no `/`, not ending in `~cache`
 * (the read cache's own store), no control characters, no lone surrogate.
 * @throws {@link InvalidArgumentError}
 */
export function checkNamespace(namespace: unknown): asserts namespace is string {
  checkText(namespace, 'namespace', 1, MAX_NAMESPACE_CHARACTERS)
  const text = namespace as string
  // `/` would let one namespace see another's keys.
  if (text.includes('/') || text.endsWith('~cache')) throw new InvalidArgumentError(`namespace ${show(text)} may not contain "/" or end with "~cache"`)
  if (hasControlCharacter(text)) throw new InvalidArgumentError('namespace must not contain control characters')
}

/**
 * Checks the header that carries each entry's idempotency key: an HTTP
 * token (`'Idempotency Key'` would make every send fail), not a secret
 * header (those are dropped at rest) and not one the runtime owns.
 * @throws {@link InvalidArgumentError}
 */
export function checkIdempotencyHeader(name: unknown): asserts name is string {
  if (!isHttpToken(name)) {
    throw new InvalidArgumentError(`idempotencyHeader must be an HTTP token such as "Idempotency-Key" (letters, digits, "-", no spaces), got ${show(name)}`)
  }
  const lower = name.toLowerCase()
  if (SECRET_HEADERS.includes(lower)) throw new InvalidArgumentError(`idempotencyHeader ${show(name)} is a secret header, which is never stored; use e.g. "Idempotency-Key"`)
  if (RESERVED_HEADERS.includes(lower) || lower.startsWith('sec-') || lower.startsWith('proxy-')) {
    throw new InvalidArgumentError(`idempotencyHeader ${show(name)} is set by the runtime; use e.g. "Idempotency-Key"`)
  }
}

function checkOptional(value: unknown, check: (value: unknown) => boolean, message: string): void {
  if (value !== undefined && !check(value)) throw new InvalidArgumentError(message)
}

const isPositiveInteger = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1

/**
 * Checks every option of `createOffline` / `new Queue` before anything is
 * opened: call it first in the constructor (it replaces the old
 * `checkOptions` and `checkNamespace`). A static `headers` object is held to
 * the request vocabulary; a provider function is checked at send time.
 * `reads` is checked as the read side will check it.
 * @throws {@link InvalidArgumentError} naming the option and the value.
 */
export function checkOfflineOptions(options: unknown): asserts options is OfflineOptions | undefined {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidArgumentError('options must be an object')
  const given = options as Record<keyof OfflineOptions, unknown>
  if (given.namespace !== undefined) checkNamespace(given.namespace)
  checkOptional(
    given.concurrency,
    (value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_CONCURRENCY,
    `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${show(given.concurrency)}`,
  )
  checkOptional(
    given.maxRetentionTime,
    (value) => typeof value === 'number' && Number.isFinite(value) && value > 0,
    `maxRetentionTime must be a finite, positive number of minutes, got ${show(given.maxRetentionTime)}`,
  )
  if (given.idempotencyHeader !== undefined) checkIdempotencyHeader(given.idempotencyHeader)
  checkRetryOptions(given.retry)
  checkOptional(given.maxStorageBytes, isPositiveInteger, `maxStorageBytes must be a positive integer, got ${show(given.maxStorageBytes)}`)
  checkOptional(given.maxFileBytes, isPositiveInteger, `maxFileBytes must be a positive integer, got ${show(given.maxFileBytes)}`)
  if (given.headers !== undefined && typeof given.headers !== 'function') checkHeaderFields(given.headers, 'headers')
  for (const name of ['classify', 'onAuthExpired'] as const) {
    checkOptional(given[name], (value) => typeof value === 'function', `${name} must be a function, got ${typeof given[name]}`)
  }
  for (const name of ['persistSecretHeaders', 'blockOnDeadLetter'] as const) {
    checkOptional(given[name], (value) => typeof value === 'boolean', `${name} must be true or false, got ${show(given[name])}`)
  }
  checkOptional(given.reads, (value) => typeof value === 'object' && value !== null, 'reads must be an object')
  if (given.reads !== undefined) resolveReaderOptions({ headers: given.headers, ...(given.reads as object) })
}

/** Longest `Queue` name, in characters. */
export const MAX_QUEUE_NAME_CHARACTERS = 64

/**
 * Checks a `Queue` name: 1 to 64 characters, no lone surrogate, no control
 * characters, and not `'default'` (the queue `createOffline` uses).
 * Replaces the inline check of the `Queue` constructor.
 * @throws {@link InvalidArgumentError}
 */
export function checkQueueName(name: unknown): asserts name is string {
  checkText(name, 'a Queue name', 1, MAX_QUEUE_NAME_CHARACTERS)
  if (name === 'default') throw new InvalidArgumentError('a Queue needs a name other than "default" (which createOffline uses)')
  if (hasControlCharacter(name as string)) throw new InvalidArgumentError('a Queue name must not contain control characters')
}

/**
 * Checks where an entry goes before anything is stored or sent: `lane` up
 * to 64 characters, `dedupeKey` 1 to 128 characters, whatever the script;
 * `metadata` a plain object JSON brings back unchanged. No lone surrogate
 * in any of them. Replaces the lane / dedupeKey / metadata checks of
 * `createEntry`.
 * @throws {@link InvalidArgumentError}, or `UnserializableError` for metadata JSON would change.
 */
export function checkPlacement(placement: PlacementInput): void {
  const { lane, dedupeKey, metadata } = placement
  if (lane !== undefined) checkText(lane, 'lane', 0, MAX_LANE_CHARACTERS)
  if (dedupeKey !== undefined) checkText(dedupeKey, 'dedupeKey', 1, MAX_DEDUPE_KEY_CHARACTERS)
  if (metadata === undefined) return
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InvalidArgumentError('metadata must be a plain object, e.g. { title: "王记超市" }')
  }
  toJsonText(metadata, 'metadata')
  checkStrings(metadata, 'metadata')
}
