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

const HEAD = /^h\.([0-9a-z]+)\.([0-9]+)\.([0-9a-z]+)\.([\s\S]+)$/
const CHUNK = /^c\.([0-9a-z]+)\.([0-9]+)\.([0-9a-z]+)\.([\s\S]+)$/

/**
 * Reads a storage key's name. Returns `undefined` for anything this module
 * would not have written (other formats, leading zeros, impossible sizes,
 * invalid user keys), so keys someone else put under the prefix are left
 * alone.
 */
export function parseRecordKey(prefix: string, storageKey: string): HeadName | ChunkName | undefined {
  if (!storageKey.startsWith(prefix)) return undefined
  const rest = storageKey.slice(prefix.length)
  const head = HEAD.exec(rest)
  if (head) {
    const [, gen36, count, bytes36, userKey] = head
    const name: HeadName = { kind: 'head', storageKey, gen: parseInt(gen36, 36), chunkCount: Number(count), bytes: parseInt(bytes36, 36), userKey }
    const rebuilt = `${prefix}h.${name.gen.toString(36)}.${name.chunkCount}.${name.bytes.toString(36)}.${userKey}`
    return name.chunkCount <= MAX_CHUNKS && isCanonical(storageKey, rebuilt, name) ? name : undefined
  }
  const chunk = CHUNK.exec(rest)
  if (chunk) {
    const [, gen36, index, bytes36, userKey] = chunk
    const name: ChunkName = { kind: 'chunk', storageKey, gen: parseInt(gen36, 36), index: Number(index), bytes: parseInt(bytes36, 36), userKey }
    const rebuilt = `${prefix}c.${name.gen.toString(36)}.${name.index}.${name.bytes.toString(36)}.${userKey}`
    return name.index < MAX_CHUNKS && isCanonical(storageKey, rebuilt, name) ? name : undefined
  }
  return undefined
}

/**
 * True when re-encoding the parsed name gives the same key (so no leading
 * zeros or out-of-range numbers), the user key is valid, and the size
 * claims at least one byte of value beyond the name.
 */
function isCanonical(storageKey: string, rebuilt: string, name: HeadName | ChunkName): boolean {
  if (!Number.isSafeInteger(name.gen) || name.gen < 1 || !Number.isSafeInteger(name.bytes)) return false
  if (userKeyProblem(name.userKey) !== undefined) return false
  return rebuilt === storageKey && name.bytes > utf8Length(storageKey)
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
