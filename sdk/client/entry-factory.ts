import type { Platform } from '../platform/platform'
import type { EntryMetadata, EntryPayload, OutboxEntry } from '../queue/outbox-entry'

/** Where an entry goes in the outbox and what the UI shows for it. */
export interface EntryPlacement {
  /** Ordering scope: entries are sent oldest first within a lane. Default: the one shared lane. */
  lane?: string
  /** A newer pending entry replaces an older one with the same key (e.g. `visit:12:status`). */
  dedupeKey?: string
  /** Data for the app's own UI, kept with the entry. */
  metadata?: EntryMetadata
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
