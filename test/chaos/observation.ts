import type { RequestResult, StorageUsage } from 'miniprogram-offline'
import type { FieldDay, StepKind, UserAction } from './model'
import type { KeptFile, RecordedEvent } from './phone'
import type { ReadSnapshot } from './read-side'
import type { Application, Arrival } from './server-script'

/**
 * What a played field day leaves for the invariants to judge: each action's
 * call and outcome, the server's ledger, the SDK's events from every start
 * of the app, and snapshots of the settled phone.
 */

/** How an action's SDK call ended, in the terms of "accepted". */
export type ActionOutcome =
  /** Accepted: the call resolved with this status. */
  | RequestResult['status']
  /** Not accepted: the app died during the call. */
  | 'killed'
  /** Not accepted: `QuotaExceededError`, nothing kept. */
  | 'refused'
  /** Not accepted: another error (a problem is recorded). */
  | 'failed'
  /** Not accepted: the call never settled (a problem is recorded). */
  | 'hung'

export const ACCEPTED: ReadonlySet<ActionOutcome> = new Set<ActionOutcome>(['sent', 'queued', 'rejected', 'deadLettered'])

export interface ActionRecord {
  /** `a1`, `a2`, ... as the day's script prints them. */
  id: string
  /** The id sent to the server: `<day tag>.<id>`. */
  tag: string
  action: UserAction
  steps: StepKind[]
  /** 1-based call order. */
  order: number
  outcome: ActionOutcome
  /** The SDK's entry id, when the call resolved. */
  entryId?: string
  error?: string
  /** Server applications recorded when the call returned (or threw): what came later came from the outbox. */
  applicationsAtReturn: number
  /** The user logged in when the call was made (its page's user). */
  user: number
  /** Logouts the app had seen when the call began, and when it returned (they differ when a logout came during the call). */
  logoutsAtCall: number
  logoutsAtReturn: number
  /** The right wall time when the call began (the phone's clock may have read otherwise). */
  rightTimeAtCall: number
  /** The phone's clock was set wrong during the call. */
  skewedAtCall: boolean
}

/** A host app's `wx.clearStorageSync()`: what the outbox held when it came. */
export interface WipeRecord {
  /** The start of the app it hit. */
  instance: number
  /** Index in `Observation.events` of the first event after it. */
  eventsBefore: number
  /** The entries `pending()` listed just before it: id and action tag. */
  entries: Array<{ entryId: string; tag: string | undefined }>
}

/** An entry as `pending()` listed it. */
export interface PendingSnapshot {
  entryId: string
  tag: string | undefined
  state: 'pending' | 'deadLetter'
  lane: string
  done: number
  total: number
}

/** The phone at a settled moment of a live app. */
export interface Snapshot {
  where: string
  pending: PendingSnapshot[]
  status: { pending: number; deadLetters: number }
  /** The outbox's kept files (`USER_DATA_PATH/mpo/<namespace>/default`). */
  files: KeptFile[]
  usage: StorageUsage
  /** What the SDK's keys really take in storage. */
  storageBytesInStorage: number
  /** All user files on the emulated disk (the SDK is the only writer in these tests). */
  userFileBytes: number
  /** Taken right after a cold start: the open-time cleanup has run. */
  afterColdStart: boolean
  /** Host-app wipes so far in the day (a wipe may take the read cache and the precached version with it). */
  wipes: number
  /** Storage was wiped in this start of the app and the SDK has not said so yet (`storageLost`): its usage figures are stale until it looks. */
  wipeUnnoticed: boolean
  reads: ReadSnapshot | undefined
}

/** One operation as it ran: writes counted by the emulator before and after it settled. */
export interface OpTrace {
  index: number
  text: string
  writesBefore: number
  writesAfter: number
  /** The app died during this operation (or the background work it started). */
  killed: boolean
}

export interface Observation {
  day: FieldDay
  dayTag: string
  actions: ActionRecord[]
  ledger: Application[]
  requestsWithoutKey: number
  events: RecordedEvent[]
  /** Tags of actions seen as dead letters at any point (by event, call result or `pending()`). */
  deadLetterSightings: Set<string>
  /** Tags of actions the user discarded (or tried to). */
  discarded: Set<string>
  /** Every body the server gave per read path (JSON): a cached copy must be one of them, whole. */
  readBodiesGiven: ReadonlyMap<string, ReadonlySet<string>>
  /** Reads the network answered, and manifest updates that went through. */
  readCounts: { networkReads: number; manifestUpdates: number }
  /** Snapshots after every operation, after the drain, and after a last cold start (last). */
  snapshots: Snapshot[]
  /** Whether the final drain emptied every lane that was free to move. */
  drained: boolean
  /** Liveness and unexpected-error findings; each is a failure, and the first one ends the day (no drain). */
  problems: string[]
  trace: OpTrace[]
  /** Starts of the app (1 + cold starts). */
  starts: number
  kills: number
  /** Every request of the day's actions as it arrived (headers included). */
  arrivals: Arrival[]
  /** Host-app storage wipes. */
  wipes: WipeRecord[]
  /** Retention in ms, and the longest wait the drain ever had to sit out (liveness). */
  longestDrainWaitMs: number
  /** How often each shape of a real app happened in the day (see chaos-stats.ts). */
  shapes: ShapeCounts
}

/** Counts of the real-app shapes a day went through. */
export interface ShapeCounts {
  pagesOpened: number
  pagesClosed: number
  pagesClosedWhileSending: number
  logouts: number
  logoutsWhileSending: number
  killsOnWire: number
  skews: number
  /** Actions made while the phone's clock read wrong. */
  actionsWithSkewedClock: number
  /** Clock settings changed while an entry waited out a backoff. */
  skewsDuringBackoff: number
  wipes: number
  fills: number
  /** Actions refused with QuotaExceededError while the host app had filled storage. */
  refusedWhileFull: number
  listenerThrows: number
  providerThrows: number
}

/** Counts of a day before anything happened. */
export function noShapes(): ShapeCounts {
  return {
    pagesOpened: 0,
    pagesClosed: 0,
    pagesClosedWhileSending: 0,
    logouts: 0,
    logoutsWhileSending: 0,
    killsOnWire: 0,
    skews: 0,
    actionsWithSkewedClock: 0,
    skewsDuringBackoff: 0,
    wipes: 0,
    fills: 0,
    refusedWhileFull: 0,
    listenerThrows: 0,
    providerThrows: 0,
  }
}
