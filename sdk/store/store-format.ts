import { FutureFormatError, StoreCorruptedError } from '../errors'
import type { PlatformStorage } from '../platform/platform'
import { utf8Length } from '../util/utf8'
import { metaKey, type SizedKey } from './record-keys'

/**
 * The on-storage format version, kept in `mpo/<namespace>/meta` as
 * `{ format: 1 }`. A later release that changes the layout raises it and
 * migrates older stores; this release refuses to touch a newer one rather
 * than "repair" keys it does not understand.
 */
export const STORE_FORMAT = 1

/** The stored meta record. */
export interface StoreMeta {
  format: number
}

/**
 * Reads the meta record when present, and refuses formats this release
 * cannot read. Writes nothing.
 *
 * @throws {@link FutureFormatError} when a newer release wrote the store.
 * @throws {@link StoreCorruptedError} when the meta record is not ours.
 */
export function readMeta(storage: PlatformStorage, prefix: string): SizedKey | undefined {
  const key = metaKey(prefix)
  const value = storage.get(key)
  if (value === undefined) return undefined
  const format = typeof value === 'object' && value !== null ? (value as Partial<StoreMeta>).format : undefined
  if (typeof format !== 'number' || !Number.isSafeInteger(format) || format < 1) {
    throw new StoreCorruptedError(`the store's format record ${key} holds ${JSON.stringify(value)}, not { format: <n> }`)
  }
  if (format > STORE_FORMAT) throw new FutureFormatError(format, STORE_FORMAT)
  return { storageKey: key, bytes: utf8Length(key) + utf8Length(JSON.stringify(value)) }
}

/** Writes `{ format: STORE_FORMAT }`; the runtime's error propagates. */
export function writeMeta(storage: PlatformStorage, prefix: string): SizedKey {
  const key = metaKey(prefix)
  const value: StoreMeta = { format: STORE_FORMAT }
  storage.set(key, value)
  return { storageKey: key, bytes: metaRecordBytes(prefix) }
}

/** What the format record this release writes occupies. */
export function metaRecordBytes(prefix: string): number {
  const value: StoreMeta = { format: STORE_FORMAT }
  return utf8Length(metaKey(prefix)) + utf8Length(JSON.stringify(value))
}
