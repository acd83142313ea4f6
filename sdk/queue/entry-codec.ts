import type { EntryLocation } from './entry-key'
import type { OutboxEntry } from './outbox-entry'

/**
 * An entry as written to storage: what the key already says (id, lane, when
 * accepted) and what is usually a default (attempts 0, the key equal to the
 * id) are left out, so a push writes little more than the request itself.
 */
export type StoredEntry = Omit<OutboxEntry, 'id' | 'lane' | 'acceptedAt' | 'idempotencyKey' | 'attempts'> & {
  idempotencyKey?: string
  attempts?: number
}

export function encodeEntry(entry: OutboxEntry): StoredEntry {
  const { id, lane, acceptedAt, idempotencyKey, attempts, ...rest } = entry
  const stored: StoredEntry = rest
  if (idempotencyKey !== id) stored.idempotencyKey = idempotencyKey
  if (attempts !== 0) stored.attempts = attempts
  return stored
}

export function decodeEntry(stored: StoredEntry, location: EntryLocation): OutboxEntry {
  const { idempotencyKey, attempts, ...rest } = stored
  return {
    ...rest,
    id: location.id,
    lane: location.lane,
    acceptedAt: location.acceptedAt,
    idempotencyKey: idempotencyKey ?? location.id,
    attempts: attempts ?? 0,
  }
}
