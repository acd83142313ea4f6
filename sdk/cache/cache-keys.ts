/**
 * Names of the keys in the read side's own store (`<namespace>~cache`).
 * Each name carries what open needs (cache, write time, size, version
 * slot), so the index is rebuilt from key names alone, reading no value:
 *
 * ```
 * r.<cacheName>.<writtenAt36>.<hash>   a cached response
 * i.<writtenAt36>.<bytes36>.<hash>.<ext>  a kept image file `<hash>.<ext>` (the value holds its URL)
 * m                                    the current precache version (the swap pointer)
 * m.<slot36>.<hash>                    a precached response of version slot <slot>
 * u                                    last-use times, saved in batches
 * ```
 */

/** A cached response's key, as its name tells. */
export interface ResponseKey {
  storeKey: string
  cacheName: string
  writtenAt: number
  hash: string
}

/** A kept image's record key, as its name tells. */
export interface ImageKey {
  storeKey: string
  writtenAt: number
  bytes: number
  hash: string
  extension: string
}

/** The store key of the current precache version. */
export const MANIFEST_POINTER_KEY = 'm'
/** The store key of the saved last-use times. */
export const LAST_USE_KEY = 'u'

const RESPONSE = /^r\.([A-Za-z0-9_-]{1,32})\.([0-9a-z]+)\.([0-9a-z]+)$/
const IMAGE = /^i\.([0-9a-z]+)\.([0-9a-z]+)\.([0-9a-z]+)\.([0-9a-z]{1,8})$/
const PRECACHED = /^m\.([0-9a-z]+)\.([0-9a-z]+)$/

/** The key of a response of `cacheName` written at `writtenAt`. */
export function responseKey(cacheName: string, writtenAt: number, hash: string): ResponseKey {
  return { storeKey: `r.${cacheName}.${writtenAt.toString(36)}.${hash}`, cacheName, writtenAt, hash }
}

/** What a response key's name says, or `undefined` for any other key. */
export function parseResponseKey(storeKey: string): ResponseKey | undefined {
  const match = RESPONSE.exec(storeKey)
  return match ? { storeKey, cacheName: match[1], writtenAt: parseInt(match[2], 36), hash: match[3] } : undefined
}

/** The record key of an image file of `bytes`, kept at `writtenAt`. */
export function imageKey(writtenAt: number, bytes: number, hash: string, extension: string): ImageKey {
  return { storeKey: `i.${writtenAt.toString(36)}.${bytes.toString(36)}.${hash}.${extension}`, writtenAt, bytes, hash, extension }
}

/** What an image record key's name says, or `undefined` for any other key. */
export function parseImageKey(storeKey: string): ImageKey | undefined {
  const match = IMAGE.exec(storeKey)
  if (!match) return undefined
  return { storeKey, writtenAt: parseInt(match[1], 36), bytes: parseInt(match[2], 36), hash: match[3], extension: match[4] }
}

/** The key of a precached response of version slot `slot`. */
export function precachedKey(slot: number, hash: string): string {
  return `m.${slot.toString(36)}.${hash}`
}

/** The version slot of a precached response's key, or `undefined` for any other key. */
export function precachedSlot(storeKey: string): number | undefined {
  const match = PRECACHED.exec(storeKey)
  return match ? parseInt(match[1], 36) : undefined
}
