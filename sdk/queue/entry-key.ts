/**
 * Where an outbox entry lives in the durable store. The key carries
 * everything replay scheduling and the status need (state, order, age, id,
 * lane), so opening a queue lists keys and reads no entry's body.
 *
 * Layout: `o/<queue>/<state>/<seq>/<acceptedAt>/<id>/<lane>`, numbers in
 * base 36, queue and lane URI-encoded so they cannot contain `/`.
 */

/** `p`: waiting to be sent; `d`: dead-lettered, kept until retried or discarded. */
export type EntryState = 'p' | 'd'

export interface EntryLocation {
  state: EntryState
  /** Position in the queue; lower is older. Negative after `unshift`. */
  seq: number
  /** When the entry was accepted (ms), for retention. */
  acceptedAt: number
  id: string
  lane: string
}

export function queuePrefix(queue: string): string {
  return `o/${encodeURIComponent(queue)}/`
}

export function entryKey(queue: string, location: EntryLocation): string {
  const { state, seq, acceptedAt, id, lane } = location
  return `${queuePrefix(queue)}${state}/${seq.toString(36)}/${acceptedAt.toString(36)}/${id}/${encodeURIComponent(lane)}`
}

/** The dedupe pointer of a queue: which entry is the newest for a `dedupeKey`. */
export function dedupeKey(queue: string, key: string): string {
  return `${queuePrefix(queue)}k/${encodeURIComponent(key)}`
}

/** Parses an entry key of `queue`; `undefined` for anything else under the prefix. */
export function parseEntryKey(queue: string, key: string): EntryLocation | undefined {
  const prefix = queuePrefix(queue)
  if (!key.startsWith(prefix)) return undefined
  const parts = key.slice(prefix.length).split('/')
  if (parts.length !== 5) return undefined
  const [state, seqText, acceptedText, id, laneText] = parts
  if (state !== 'p' && state !== 'd') return undefined
  const seq = parseInt(seqText, 36)
  const acceptedAt = parseInt(acceptedText, 36)
  if (!Number.isFinite(seq) || !Number.isFinite(acceptedAt) || id === '') return undefined
  return { state, seq, acceptedAt, id, lane: decodeURIComponent(laneText) }
}
