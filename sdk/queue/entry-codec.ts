import type { EntryLocation } from './entry-key'
import type { OutboxEntry } from './outbox-entry'

/**
 * An entry as written to storage: what the key already says (id, when
 * accepted) and what is usually a default (the default lane, attempts 0, the
 * key equal to the id) are left out, so a push writes little more than the
 * request itself. The lane is in the body: the key has only its hash.
 */
export type StoredEntry = Omit<OutboxEntry, 'id' | 'lane' | 'acceptedAt' | 'idempotencyKey' | 'attempts'> & {
  lane?: string
  idempotencyKey?: string
  attempts?: number
}

export function encodeEntry(entry: OutboxEntry): StoredEntry {
  const { id, lane, acceptedAt, idempotencyKey, attempts, ...rest } = entry
  const stored: StoredEntry = rest
  if (lane !== '') stored.lane = lane
  if (idempotencyKey !== id) stored.idempotencyKey = idempotencyKey
  if (attempts !== 0) stored.attempts = attempts
  return stored
}

export function decodeEntry(stored: StoredEntry, location: EntryLocation): OutboxEntry {
  const { lane, idempotencyKey, attempts, ...rest } = stored
  return {
    ...rest,
    id: location.id,
    lane: lane ?? location.legacyLane ?? '',
    acceptedAt: location.acceptedAt,
    idempotencyKey: idempotencyKey ?? location.id,
    attempts: attempts ?? 0,
  } as OutboxEntry
}
