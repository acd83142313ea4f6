import { utf8Length } from '../util/utf8'

/**
 * The names of the storage keys a store writes. Each name carries the
 * record's metadata, so the whole index is rebuilt on open from
 * `getStorageInfoSync().keys` alone, without reading a single value:
 *
 * ```
 * mpo/<namespace>/meta                                  format version
 * mpo/<namespace>/h.<gen>.<chunks>.<bytes>.<userKey>     head (the commit point)
 * mpo/<namespace>/c.<gen>.<index>.<bytes>.<userKey>      chunk <index> of a head
 * ```
 *
 * `gen` and `bytes` are base 36, `chunks` and `index` decimal. `gen` is a
 * store-wide generation: a newer write of a key has a higher one, so after a
 * crash the newest complete head wins. `bytes` is what this one storage key
 * occupies (UTF-8 of its name plus its JSON value), so usage is exact from
 * names alone, leftovers included. The user key comes last, so it may
 * contain dots and slashes.
 */

/** Every store key starts with this, so the SDK's keys are recognisable next to the host app's. */
export const KEY_ROOT = 'mpo/'

/** Longest namespace accepted. */
export const MAX_NAMESPACE_LENGTH = 128
/** Longest user key accepted; it is repeated in every chunk key. */
export const MAX_KEY_LENGTH = 256
/** More chunks than this is never written (10 MB / 1 KiB), so a name claiming more is not ours. */
export const MAX_CHUNKS = 10240

/** The prefix of every storage key of `namespace`. */
export function storagePrefix(namespace: string): string {
  return `${KEY_ROOT}${namespace}/`
}

/** The key holding `{ format }`. */
export function metaKey(prefix: string): string {
  return `${prefix}meta`
}

/** A storage key and the UTF-8 bytes it occupies (name plus JSON value). */
export interface SizedKey {
  storageKey: string
  bytes: number
}

/** What a head key's name says. `chunkCount` 0 means the value is stored inline in the head. */
export interface HeadName extends SizedKey {
  kind: 'head'
  gen: number
  chunkCount: number
  bytes: number
  userKey: string
}

/** What a chunk key's name says. */
export interface ChunkName extends SizedKey {
  kind: 'chunk'
  gen: number
  index: number
  bytes: number
  userKey: string
}

/** The name of a head whose JSON value takes `valueBytes`. */
export function headKey(prefix: string, gen: number, chunkCount: number, userKey: string, valueBytes: number): SizedKey {
  return sizedKey((bytes) => `${prefix}h.${gen.toString(36)}.${chunkCount}.${bytes}.${userKey}`, valueBytes)
}

/** The name of chunk `index` whose JSON value takes `valueBytes`. */
export function chunkKey(prefix: string, gen: number, index: number, userKey: string, valueBytes: number): SizedKey {
  return sizedKey((bytes) => `${prefix}c.${gen.toString(36)}.${index}.${bytes}.${userKey}`, valueBytes)
}

/**
 * The name includes its own size, so the size depends on how many digits
 * it takes: the smallest digit count that is consistent wins (one always
 * exists, as the size grows far slower than its digit count can).
 */
function sizedKey(build: (bytes36: string) => string, valueBytes: number): SizedKey {
  const base = utf8Length(build('')) + valueBytes
  for (let digits = 1; ; digits++) {
    const bytes = base + digits
    const bytes36 = bytes.toString(36)
    if (bytes36.length === digits) return { storageKey: build(bytes36), bytes }
  }
}

/**
 * Reads a storage key's name. Returns `undefined` for anything this module
 * would not have written (other formats, leading zeros, impossible sizes,
 * invalid user keys), so keys someone else put under the prefix are left
 * alone.
 *
 * Opening a store parses every one of its keys, so this walks the name once
 * with `indexOf` instead of a regular expression and a re-encoding.
 */
export function parseRecordKey(prefix: string, storageKey: string): HeadName | ChunkName | undefined {
  if (!storageKey.startsWith(prefix)) return undefined
  const at = prefix.length
  const kind = storageKey.charCodeAt(at)
  if ((kind !== H && kind !== C) || storageKey.charCodeAt(at + 1) !== DOT) return undefined
  const genEnd = storageKey.indexOf('.', at + 2)
  const numberEnd = genEnd < 0 ? -1 : storageKey.indexOf('.', genEnd + 1)
  const bytesEnd = numberEnd < 0 ? -1 : storageKey.indexOf('.', numberEnd + 1)
  if (bytesEnd < 0 || bytesEnd + 1 >= storageKey.length) return undefined
  const gen = base36At(storageKey, at + 2, genEnd)
  const number = decimalAt(storageKey, genEnd + 1, numberEnd)
  const bytes = base36At(storageKey, numberEnd + 1, bytesEnd)
  if (gen < 1 || number < 0 || bytes < 0) return undefined
  const userKey = storageKey.slice(bytesEnd + 1)
  if (!claimsValueBytes(storageKey, bytes) || !isPlainUserKey(userKey)) return undefined
  if (kind === H) return number <= MAX_CHUNKS ? { kind: 'head', storageKey, gen, chunkCount: number, bytes, userKey } : undefined
  return number < MAX_CHUNKS ? { kind: 'chunk', storageKey, gen, index: number, bytes, userKey } : undefined
}

const H = 0x68 // 'h'
const C = 0x63 // 'c'
const DOT = 0x2e
/** More base-36 digits than this can never be a safe integer (36^11 > 2^53). */
const MAX_BASE36_DIGITS = 11

/** The canonical base-36 safe integer in `text[from, to)`: no leading zero, lower case; -1 otherwise. */
function base36At(text: string, from: number, to: number): number {
  const length = to - from
  if (length < 1 || length > MAX_BASE36_DIGITS || (length > 1 && text.charCodeAt(from) === 0x30)) return -1
  let value = 0
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i)
    const digit = code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x7a ? code - 0x57 : -1
    if (digit < 0) return -1
    value = value * 36 + digit
  }
  return Number.isSafeInteger(value) ? value : -1
}

/** The canonical decimal number in `text[from, to)` (small: chunk counts and indexes); -1 otherwise. */
function decimalAt(text: string, from: number, to: number): number {
  const length = to - from
  if (length < 1 || length > 6 || (length > 1 && text.charCodeAt(from) === 0x30)) return -1
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** The size claims at least one byte of value beyond the name (a UTF-8 name is at most 3 bytes a code unit). */
function claimsValueBytes(storageKey: string, bytes: number): boolean {
  return bytes > storageKey.length * 3 || bytes > utf8Length(storageKey)
}

/** Characters a user key may never hold; surrogates are checked one by one only when present. */
const SUSPECT = /[\u0000-\u001f\u007f\ud800-\udfff]/

function isPlainUserKey(userKey: string): boolean {
  if (userKey.length > MAX_KEY_LENGTH) return false
  return !SUSPECT.test(userKey) || userKeyProblem(userKey) === undefined
}

/** Why `namespace` cannot be used, or `undefined` when it can. */
export function namespaceProblem(namespace: unknown): string | undefined {
  if (typeof namespace !== 'string') return `namespace must be a string, got ${describe(namespace)}`
  if (namespace === '') return 'namespace must not be empty'
  if (namespace.length > MAX_NAMESPACE_LENGTH) return `namespace is longer than ${MAX_NAMESPACE_LENGTH} characters`
  // '/' ends the namespace in a key name: allowing it would let "a" see "a/b"'s keys.
  if (namespace.includes('/')) return `namespace must not contain "/" (got ${JSON.stringify(namespace)})`
  return textProblem(namespace, 'namespace')
}

/** Why `key` cannot be a store key, or `undefined` when it can. */
export function userKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `key must be a string, got ${describe(key)}`
  if (key === '') return 'key must not be empty'
  if (key.length > MAX_KEY_LENGTH) return `key is longer than ${MAX_KEY_LENGTH} characters`
  return textProblem(key, 'key')
}

/** Control characters and lone surrogates may not survive a runtime's storage layer intact. */
function textProblem(text: string, what: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return `${what} must not contain control characters`
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1
        continue
      }
      return `${what} must not contain a lone surrogate`
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `${what} must not contain a lone surrogate`
  }
  return undefined
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value
}
