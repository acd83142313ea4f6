import { InvalidArgumentError } from '../errors'
import type { Platform } from '../platform/platform'
import { uuidV4 } from '../queue/idempotency-key'
import type { EntryMetadata, EntryPayload, OutboxEntry } from '../queue/outbox-entry'
import { toJsonText } from '../store'

/** Where an entry goes in the outbox and what the UI shows for it. */
export interface EntryPlacement {
  /** Ordering scope: entries are sent oldest first within a lane. Default: the one shared lane. */
  lane?: string
  /** A newer pending entry replaces an older one with the same key (e.g. `visit:12:status`). */
  dedupeKey?: string
  /** Data for the app's own UI, kept with the entry. */
  metadata?: EntryMetadata
}

/** Checks where an entry goes; writes nothing. */
export function checkPlacement(placement: EntryPlacement): void {
  const { lane, dedupeKey, metadata } = placement
  if (lane !== undefined && (typeof lane !== 'string' || [...lane].length > 64)) {
    throw new InvalidArgumentError('lane must be a string of at most 64 characters')
  }
  if (dedupeKey !== undefined && (typeof dedupeKey !== 'string' || dedupeKey === '')) {
    throw new InvalidArgumentError('dedupeKey must be a non-empty string')
  }
  if (metadata !== undefined) toJsonText(metadata, 'metadata')
}

/** A fresh id, which is also the idempotency key: UUID v4 from secure random bytes. */
export async function newEntryId(platform: Platform): Promise<string> {
  return uuidV4(await platform.randomBytes(16))
}

/** Builds entry `id` (placement already checked); nothing is written. */
export function newEntry(platform: Platform, id: string, payload: EntryPayload, placement: EntryPlacement, acceptedAt?: number): OutboxEntry {
  const entry = {
    id,
    idempotencyKey: id,
    lane: placement.lane ?? '',
    acceptedAt: acceptedAt ?? platform.clock.now(),
    attempts: 0,
    ...payload,
  } as OutboxEntry
  if (placement.metadata !== undefined) entry.metadata = placement.metadata
  if (placement.dedupeKey !== undefined) entry.dedupeKey = placement.dedupeKey
  return entry
}
