import type { Outbox } from '../queue/outbox'
import { stepsOf, type EntryMetadata, type OutboxEntry } from '../queue/outbox-entry'

/** An entry as the "待同步" page shows it. */
export interface PendingItem {
  id: string
  state: 'pending' | 'deadLetter'
  lane: string
  url: string
  method: string
  metadata?: EntryMetadata
  attempts: number
  acceptedAt: number
  /** Why the last attempt failed; for a dead letter, why it died. */
  lastError?: OutboxEntry['lastError']
  nextAttemptAt?: number
  /** True while it is being sent. */
  sending: boolean
  /** Steps done of all steps: `{ done: 2, total: 3 }` shows as 2/3. A plain request is 0/1. */
  progress: { done: number; total: number }
}

function toItem(entry: OutboxEntry, state: PendingItem['state'], sending: boolean): PendingItem {
  const steps = stepsOf(entry)
  const done = entry.done ?? 0
  const current = steps[Math.min(done, steps.length - 1)]
  const target = 'upload' in current ? current.upload.url : current.request.url
  const item: PendingItem = {
    id: entry.id,
    state,
    lane: entry.lane,
    url: typeof target === 'string' ? target : target.$ref,
    method: 'upload' in current ? 'UPLOAD' : current.request.method,
    attempts: entry.attempts,
    acceptedAt: entry.acceptedAt,
    sending,
    progress: { done, total: steps.length },
  }
  if (entry.metadata !== undefined) item.metadata = entry.metadata
  const lastError = entry.deadLetter ?? entry.lastError
  if (lastError !== undefined) item.lastError = lastError
  if (entry.nextAttemptAt !== undefined) item.nextAttemptAt = entry.nextAttemptAt
  return item
}

/** Every stored entry as a {@link PendingItem}, oldest first. */
export function pendingItems(outbox: Outbox, isSending: (id: string) => boolean): PendingItem[] {
  return outbox.all().flatMap((located) => {
    const entry = outbox.read(located.id)
    return entry ? [toItem(entry, located.state, isSending(entry.id))] : []
  })
}
