/**
 * Where an outbox entry lives in the durable store. The key carries
 * everything replay scheduling and the status need (state, order, age, id,
 * lane, dedupe group), so opening a queue lists keys and reads no entry's
 * body, and a push is one write whatever the entry's options.
 *
 * Layout: `o/<queue>/<state>/<seq>/<acceptedAt>/<id>/<laneTag>/<dedupeTag>`,
 * numbers in base 36. The lane and the dedupe key are stored as fixed-length
 * hashes (empty for the default lane / no dedupe key): a 64-character lane in
 * any script, `/` included, always fits the store's key length. The real
 * lane and dedupe key are in the entry's body; a hash collision can only
 * merge two lanes (stricter order), and superseding checks the bodies.
 */
import { hash53 } from '../util/hash'

/** Storage codes, known only to this layer: `p` waiting, `d` dead-lettered. */
type StateCode = 'p' | 'd'

/** `pending`: waiting to be sent; `deadLetter`: kept until retried or discarded. */
export type EntryState = 'pending' | 'deadLetter'

export interface EntryLocation {
  state: EntryState
  /** Position in the queue; lower is older. Negative after `unshift`. */
  seq: number
  /** When the entry was accepted (ms), for retention. */
  acceptedAt: number
  id: string
  /** Which lane the entry is in ('' for the default lane); see {@link laneTag}. */
  laneTag: string
  /** Entries with one dedupe key share a tag ('' without one); see {@link dedupeTag}. */
  dedupeTag: string
  /** The lane itself, for an entry stored by 0.1.0 (its key named the lane; its body did not). */
  legacyLane?: string
}

const PLAIN_QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/

/** A queue's key prefix: plain names as they are, any other name hashed. */
export function queuePrefix(queue: string): string {
  return PLAIN_QUEUE_NAME.test(queue) ? `o/${queue}/` : `o/#${hash53(queue)}/`
}

/** The lane's tag in key names: '' for the default lane. */
export function laneTag(lane: string): string {
  return lane === '' ? '' : hash53(`lane:${lane}`)
}

/** The dedupe key's tag in key names: '' when there is none. */
export function dedupeTag(dedupeKey: string | undefined): string {
  return dedupeKey === undefined ? '' : hash53(`dedupe:${dedupeKey}`)
}

/** The key of an entry under its queue's `prefix` (see {@link queuePrefix}). */
export function entryKey(prefix: string, location: EntryLocation): string {
  const { state, seq, acceptedAt, id } = location
  const code: StateCode = state === 'pending' ? 'p' : 'd'
  return `${prefix}${code}/${seq.toString(36)}/${acceptedAt.toString(36)}/${id}/${location.laneTag}/${location.dedupeTag}`
}

/** Parses a key under a queue's `prefix` into where its entry is; `undefined` for anything else there. */
export function parseEntryKey(prefix: string, key: string): (EntryLocation & { key: string }) | undefined {
  if (!key.startsWith(prefix)) return undefined
  const parts = key.slice(prefix.length).split('/')
  if (parts.length === 5) return parseLegacyKey(parts, key)
  if (parts.length !== 6) return undefined
  const [code, seqText, acceptedText, id, laneTag, dedupeTag] = parts
  if (code !== 'p' && code !== 'd') return undefined
  const seq = parseInt(seqText, 36)
  const acceptedAt = parseInt(acceptedText, 36)
  if (!Number.isFinite(seq) || !Number.isFinite(acceptedAt) || id === '') return undefined
  return { state: code === 'p' ? 'pending' : 'deadLetter', seq, acceptedAt, id, laneTag, dedupeTag, key }
}

/**
 * A key of 0.1.0's layout, `.../<state>/<seq>/<acceptedAt>/<id>/<URI-encoded lane>`:
 * still read, so an upgrade loses nothing waiting. (Its dedupe pointers are
 * not: such an entry is simply not superseded.) Any state change rewrites it
 * in today's layout.
 */
function parseLegacyKey(parts: string[], key: string): (EntryLocation & { key: string }) | undefined {
  const [code, seqText, acceptedText, id, laneText] = parts
  if (code !== 'p' && code !== 'd') return undefined
  const seq = parseInt(seqText, 36)
  const acceptedAt = parseInt(acceptedText, 36)
  if (!Number.isFinite(seq) || !Number.isFinite(acceptedAt) || id === '') return undefined
  let lane: string
  try {
    lane = decodeURIComponent(laneText)
  } catch {
    return undefined
  }
  const state = code === 'p' ? 'pending' : 'deadLetter'
  return { state, seq, acceptedAt, id, laneTag: laneTag(lane), dedupeTag: '', legacyLane: lane, key }
}
