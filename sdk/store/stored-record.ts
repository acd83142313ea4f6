import { StoreCorruptedError } from '../errors'
import type { PlatformStorage } from '../platform/platform'
import { utf8Length } from '../util/utf8'
import { jsonStringBytes, splitJsonText } from './chunking'
import { chunkKey, headKey, type SizedKey } from './record-keys'

/**
 * What one user value becomes in storage: a head key, plus chunk keys when
 * the value is too big for one key.
 *
 * - **Inline** (`chunkCount` 0): the head's value *is* the user's value, so
 *   a small put is exactly one `setStorageSync`, with no double escaping.
 * - **Chunked**: the JSON text of the value is cut into strings
 *   (`splitJsonText`), each in its own chunk key; the head holds a small
 *   manifest `{ chunks, length }` that lets a reader check it has it all.
 *
 * The empty string is always chunked: WeChat returns `''` for a missing key,
 * so an inline `''` could not be told apart from a lost head.
 */
export interface StoredRecord {
  userKey: string
  gen: number
  /** 0 when the value is inline in the head. */
  chunkCount: number
  head: SizedKey
  /** In index order; empty when inline. */
  chunks: SizedKey[]
  /** Head plus chunks, in UTF-8 bytes of names and JSON values. */
  bytes: number
}

/** A chunked head's value. */
export interface ChunkManifest {
  chunks: number
  /** UTF-16 length of the joined JSON text. */
  length: number
}

/** One `storage.set` the put must make. */
export interface RecordWrite extends SizedKey {
  value: unknown
}

/** The writes of a new record, chunks first and the head (the commit point) last. */
export interface RecordPlan {
  record: StoredRecord
  writes: RecordWrite[]
}

/** Lays out `value` (whose JSON text is `text`) as a record of generation `gen`. */
export function planRecord(prefix: string, userKey: string, gen: number, value: unknown, text: string, chunkBytes: number): RecordPlan {
  const textBytes = utf8Length(text)
  if (value !== '' && textBytes <= chunkBytes) {
    const head = headKey(prefix, gen, 0, userKey, textBytes)
    return { record: { userKey, gen, chunkCount: 0, head, chunks: [], bytes: head.bytes }, writes: [{ ...head, value }] }
  }
  const pieces = splitJsonText(text, chunkBytes)
  const chunkWrites = pieces.map((piece, index) => ({ ...chunkKey(prefix, gen, index, userKey, piece.bytes), value: piece.text }))
  const manifest: ChunkManifest = { chunks: pieces.length, length: text.length }
  const head = headKey(prefix, gen, pieces.length, userKey, utf8Length(JSON.stringify(manifest)))
  const chunks = chunkWrites.map(({ storageKey, bytes }) => ({ storageKey, bytes }))
  const bytes = chunks.reduce((sum, chunk) => sum + chunk.bytes, head.bytes)
  return {
    record: { userKey, gen, chunkCount: pieces.length, head, chunks, bytes },
    writes: [...chunkWrites, { ...head, value: manifest }],
  }
}

/**
 * Reads a record back. Anything that is not what {@link planRecord} wrote
 * (a missing key, a size or length that does not match, text that does not
 * parse) throws a {@link StoreCorruptedError} naming the key, rather than
 * returning a value that might be torn.
 */
export function readRecord(storage: PlatformStorage, record: StoredRecord): unknown {
  const headValue = storage.get(record.head.storageKey)
  if (headValue === undefined) throw corrupted(record, 'its head key is missing')
  if (record.chunkCount === 0) return checkInline(record, headValue)
  if (!isManifest(headValue) || headValue.chunks !== record.chunkCount) throw corrupted(record, 'its head is not a chunk manifest')
  const pieces = readChunks(storage, record)
  const text = pieces.join('')
  if (text.length !== headValue.length) throw corrupted(record, `its chunks hold ${text.length} characters, not ${headValue.length}`)
  try {
    return JSON.parse(text)
  } catch {
    throw corrupted(record, 'its chunks do not join into JSON')
  }
}

/** The head's name records the value's size: a different size means someone else wrote it. */
function checkInline(record: StoredRecord, value: unknown): unknown {
  const expected = record.head.bytes - utf8Length(record.head.storageKey)
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    json = undefined
  }
  if (json === undefined || utf8Length(json) !== expected) throw corrupted(record, 'its value is not the size that was written')
  return value
}

function readChunks(storage: PlatformStorage, record: StoredRecord): string[] {
  const keys = record.chunks.map((chunk) => chunk.storageKey)
  // One native call instead of one per chunk where the base library allows it.
  const values = storage.batchGet ? storage.batchGet(keys) : keys.map((key) => storage.get(key))
  return values.map((value, index) => {
    if (typeof value !== 'string' || value === '') throw corrupted(record, `chunk ${index} is missing`)
    if (jsonStringBytes(value) !== record.chunks[index].bytes - utf8Length(keys[index])) {
      throw corrupted(record, `chunk ${index} is not the size that was written`)
    }
    return value
  })
}

function isManifest(value: unknown): value is ChunkManifest {
  if (typeof value !== 'object' || value === null) return false
  const { chunks, length } = value as Partial<ChunkManifest>
  return Number.isSafeInteger(chunks) && Number.isSafeInteger(length)
}

function corrupted(record: StoredRecord, problem: string): StoreCorruptedError {
  return new StoreCorruptedError(`stored value of "${record.userKey}" is unreadable: ${problem} (${record.head.storageKey})`)
}
