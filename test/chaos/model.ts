import fc from 'fast-check'
import type { DropMode } from '../support/test-server'

/**
 * The generated field day: what a courier's phone lives through between
 * morning and evening, as data. The runner (field-day-runner.ts) plays it
 * through the real SDK on the emulator, field-day-arbitrary.ts generates it;
 * this file says what may happen and how to print it, so that a shrunk
 * counterexample reads like a script.
 */

/** Few lanes, so actions meet in the same lane often enough to test order. */
export const LANES = ['', 'visit:1', 'visit:2'] as const
/** Few dedupe keys, for the same reason. */
export const DEDUPE_KEYS = ['status:1', 'status:2'] as const
/** The most user actions in one day: keeps a run well under a second. */
export const MAX_ACTIONS = 12
/** The most operations (actions and world events) in one day. */
export const MAX_OPS = 26

/**
 * An answer the server gives an action's attempt before it lets it through:
 * 401/409/429/503 say "not done, try again"; 422 refuses it for good (a dead
 * letter, or `rejected` for a live send).
 */
export type FailureAnswer = 401 | 409 | 429 | 503 | 422

interface Placement {
  lane: string
  dedupeKey?: string
  /** What the server answers this action's attempts, in order, before 2xx. */
  answers: FailureAnswer[]
}

/** `offline.request()` of a small JSON record. */
export interface RequestAction extends Placement {
  kind: 'request'
}

/** `offline.uploadFile()` of a photo of `photoBytes` bytes. */
export interface UploadAction extends Placement {
  kind: 'upload'
  photoBytes: number
}

/**
 * `offline.task()`: the photos (sizes in bytes) uploaded first, then a record
 * referring to each upload's URL. Without photos: two requests, the second
 * referring to the id the server gave the first.
 */
export interface TaskAction extends Placement {
  kind: 'task'
  photos: number[]
}

export type UserAction = RequestAction | UploadAction | TaskAction

/** Strategies of `offline.get` that write the read cache. */
export type WritingStrategy = 'networkFirst' | 'staleWhileRevalidate' | 'cacheFirst'

/** What the app reads: not outbox actions, but they share the phone's storage, files and network. */
export type ReadOp =
  /** `offline.get` of record `resource` (`/api/r<resource>`): a cache update when the network answers. */
  | { kind: 'read'; resource: number; strategy: WritingStrategy }
  /** The server publishes the next version of the precache set; the app sets the manifest and updates (a version swap). */
  | { kind: 'manifest' }

/** What happens around the user: network, lifecycle, crashes, the server, time. */
export type WorldEvent =
  | { kind: 'online' }
  | { kind: 'offline' }
  /** Connected but nothing gets through (captive portal): calls time out. */
  | { kind: 'unreachable' }
  | { kind: 'reachable' }
  | { kind: 'hide' }
  | { kind: 'show' }
  /** The app dies at its `nth` storage or file write from now (in this run of the app). */
  | { kind: 'killAtWrite'; nth: number }
  /** The user swipes the app away now; it cold-starts. */
  | { kind: 'kill' }
  /** The app dies while the server is handling the next request it applies. */
  | { kind: 'killDuringNextRequest' }
  /** The network goes while the server is handling the next request it applies (its answer is lost). */
  | { kind: 'offlineDuringNextRequest' }
  | { kind: 'dropConnections'; count: number; mode: DropMode }
  /** The clock jumps forward (backoff timers fire). */
  | { kind: 'clock'; ms: number }
  /** The clock jumps past the retention time (the phone stayed in a drawer). */
  | { kind: 'pastRetention' }
  | { kind: 'flush' }
  /** The user taps "retry" on every dead letter. */
  | { kind: 'retryDeadLetters' }
  /** The user discards the oldest dead letter. */
  | { kind: 'discardDeadLetter' }
  | PageEvent
  | AppEvent

/**
 * Pages, each with its own `createOffline` and its own `createWxPlatform(wx)`
 * over the same namespace. User actions go through the page on top.
 */
export type PageEvent =
  /** `wx.navigateTo`: a new page opens its client on top of the others. */
  | { kind: 'openPage' }
  /**
   * `wx.redirectTo`: the page on top closes its client and a new page opens
   * right after; `whileSending` does it while the server handles the next
   * request (a send in flight).
   */
  | { kind: 'navigate'; whileSending: boolean }
  /** `wx.navigateBack`: the page on top closes (when another page is open below it). */
  | { kind: 'closePage' }
  /**
   * Logout and a user switch: `clear()`, every page closes, and the next
   * user's page opens with that user's `headers` provider; `whileSending`
   * does it while the server handles the next request.
   */
  | { kind: 'logout'; whileSending: boolean }

/** What the app itself, or the phone's owner, does around the SDK. */
export type AppEvent =
  /** The app is killed while the server handles the next request of the next user action (a live send on the wire). */
  | { kind: 'killOnWire' }
  /** The phone's wall clock is set wrong (`emu.clock.jump`: timers are not moved); see {@link SKEWS}. */
  | { kind: 'skewClock'; to: Skew }
  /** The phone's clock is set right again. */
  | { kind: 'fixClock' }
  /** The host app calls `wx.clearStorageSync()`; `thenShow` hides and shows the app afterwards (control comes back to the SDK). */
  | { kind: 'wipeStorage'; thenShow: boolean }
  /** The host app writes its own keys until storage is full. */
  | { kind: 'fillStorage' }
  /** The host app removes its own keys again. */
  | { kind: 'freeStorage' }
  /** The page on top adds a `status.subscribe` and `on()` listeners that throw. */
  | { kind: 'throwingListeners' }

/**
 * Wrong settings of the phone's clock, as offsets from the right time; `1970`
 * sets it to 2 January 1970 (a phone whose clock was reset), whatever the
 * right time is.
 */
export const SKEWS = {
  '1970': undefined,
  'a year back': -365 * 24 * 3_600_000,
  'a year ahead': 365 * 24 * 3_600_000,
  'an hour back': -3_600_000,
  'an hour ahead': 3_600_000,
} as const

export type Skew = keyof typeof SKEWS

export type Op = UserAction | ReadOp | WorldEvent

/** How the app configured the SDK, and how the world behaves, for the whole day. */
export interface DayOptions {
  concurrency: number
  blockOnDeadLetter: boolean
  /** Attempts before a dead letter; unlimited when absent. */
  maxAttempts?: number
  /** Minutes; the SDK's default (7 days) when absent. */
  retentionMinutes?: number
  /** Whether the app passes `onAuthExpired` (a 401 is then retried at once with a fresh token). */
  refreshAuth: boolean
  /** A tight storage budget makes pushes fail with `QuotaExceededError`; default when absent. */
  maxStorageBytes?: number
  /** A tight file budget makes photo actions fail with `QuotaExceededError`; default when absent. */
  maxFileBytes?: number
  serverLatencyMs: number
  startOnline: boolean
  /** Replay through the server's batch endpoint (`createOffline({ batch })`): batch days. */
  batch?: boolean
  /**
   * True: each page passes a `headers` provider bound to the user who opened
   * it (B's page, B's provider). False: one provider reads the session at
   * send time (`() => ({ Authorization: token() })`).
   */
  providerPerPage?: boolean
  /** Every how many calls the app's `headers` provider throws (a token store that fails now and then); never when absent. */
  headersThrowEvery?: number
}

export interface FieldDay {
  options: DayOptions
  ops: Op[]
}

export const DEFAULT_RETENTION_MINUTES = 7 * 24 * 60

export function isUserAction(op: Op): op is UserAction {
  return op.kind === 'request' || op.kind === 'upload' || op.kind === 'task'
}

export function isReadOp(op: Op): op is ReadOp {
  return op.kind === 'read' || op.kind === 'manifest'
}

/** A step as the server sees it: a photo upload or a JSON request. */
export type StepKind = 'photo' | 'request'

export function stepKinds(action: UserAction): StepKind[] {
  if (action.kind === 'request') return ['request']
  if (action.kind === 'upload') return ['photo']
  return action.photos.length === 0 ? ['request', 'request'] : [...action.photos.map((): StepKind => 'photo'), 'request']
}

/** Action ids in call order: `a1`, `a2`, ... (derived, so shrinking never makes two alike). */
export function actionIds(ops: readonly Op[]): Map<number, string> {
  const ids = new Map<number, string>()
  ops.forEach((op, index) => {
    if (isUserAction(op)) ids.set(index, `a${ids.size + 1}`)
  })
  return ids
}

export function retentionMs(options: DayOptions): number {
  return (options.retentionMinutes ?? DEFAULT_RETENTION_MINUTES) * 60_000
}

// ----- printing -----

function placementText(action: UserAction): string {
  const parts = [`lane ${JSON.stringify(action.lane)}`]
  if (action.dedupeKey !== undefined) parts.push(`dedupe ${action.dedupeKey}`)
  if (action.answers.length > 0) parts.push(`server answers ${action.answers.join(', ')} then 2xx`)
  return parts.join(', ')
}

function actionText(action: UserAction): string {
  if (action.kind === 'request') return `request, ${placementText(action)}`
  if (action.kind === 'upload') return `uploadFile of a ${action.photoBytes} B photo, ${placementText(action)}`
  const steps = action.photos.length === 0 ? ['request', 'request referring to it'] : [...action.photos.map((bytes) => `photo ${bytes} B`), 'record referring to them']
  return `task [${steps.join(', ')}], ${placementText(action)}`
}

function durationText(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`
}

export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'request':
    case 'upload':
    case 'task':
      return actionText(op)
    case 'read':
      return `offline.get(/api/r${op.resource}, ${op.strategy})`
    case 'manifest':
      return 'the server publishes the next precache version; the app sets the manifest and updates it'
    case 'killAtWrite':
      return `kill the app at its write #${op.nth} from now`
    case 'killDuringNextRequest':
      return 'kill the app while the server handles the next request'
    case 'offlineDuringNextRequest':
      return 'lose the network while the server handles the next request'
    case 'dropConnections':
      return `drop the next ${op.count} connection(s) ${op.mode}`
    case 'clock':
      return `clock +${durationText(op.ms)}`
    case 'pastRetention':
      return 'clock past the retention time'
    case 'retryDeadLetters':
      return 'user retries every dead letter'
    case 'discardDeadLetter':
      return 'user discards the oldest dead letter'
    case 'openPage':
      return 'a new page opens its own client (navigateTo)'
    case 'navigate':
      return `the page on top closes and a new one opens right after${op.whileSending ? ', while the server handles the next request' : ''}`
    case 'closePage':
      return 'the page on top closes (navigateBack)'
    case 'logout':
      return `logout: clear(), every page closes, the next user's page opens${op.whileSending ? ', while the server handles the next request' : ''}`
    case 'killOnWire':
      return "kill the app while the server handles the next action's request"
    case 'skewClock':
      return op.to === '1970' ? 'the phone clock is set to 1970' : `the phone clock is set ${op.to}`
    case 'fixClock':
      return 'the phone clock is set right'
    case 'wipeStorage':
      return `the host app calls wx.clearStorageSync()${op.thenShow ? ', then the app is hidden and shown' : ''}`
    case 'fillStorage':
      return 'the host app fills storage with its own keys'
    case 'freeStorage':
      return 'the host app removes its own keys'
    case 'throwingListeners':
      return 'the page on top adds a status and an event listener that throw'
    default:
      return op.kind
  }
}

export function describeOptions(options: DayOptions): string {
  const parts = [
    `concurrency ${options.concurrency}`,
    `retention ${options.retentionMinutes === undefined ? 'default (7 days)' : `${options.retentionMinutes} min`}`,
    `max attempts ${options.maxAttempts ?? 'unlimited'}`,
    `dead letters ${options.blockOnDeadLetter ? 'block' : 'do not block'} their lane`,
    `onAuthExpired ${options.refreshAuth ? 'refreshes' : 'absent'}`,
    `storage budget ${options.maxStorageBytes === undefined ? 'default' : `${options.maxStorageBytes} B`}`,
    `file budget ${options.maxFileBytes === undefined ? 'default' : `${options.maxFileBytes} B`}`,
    `server latency ${options.serverLatencyMs} ms`,
    options.startOnline ? 'starts online' : 'starts offline',
    ...(options.batch ? ['replays in batches'] : []),
    options.providerPerPage ? "each page's headers provider is its user's" : 'the headers provider reads the session',
    ...(options.headersThrowEvery === undefined ? [] : [`headers provider throws every ${options.headersThrowEvery} calls`]),
  ]
  return parts.join(', ')
}

/** The day as a numbered script, actions named as the runner names them. */
export function describeDay(day: FieldDay): string {
  const ids = actionIds(day.ops)
  const lines = day.ops.map((op, index) => {
    const id = ids.get(index)
    return `  ${String(index + 1).padStart(2)}. ${id === undefined ? '' : `${id}: `}${describeOp(op)}`
  })
  return [`field day (${describeOptions(day.options)})`, ...lines].join('\n')
}

/** Gives a day the `toString` fast-check prints in a counterexample. */
export function printable(day: FieldDay): FieldDay {
  const text = (): string => describeDay(day)
  return Object.defineProperties(day, {
    [fc.toStringMethod]: { value: text, enumerable: false },
    toString: { value: text, enumerable: false },
  })
}
