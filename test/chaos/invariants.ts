import { DEFAULT_CACHE_MAX_BYTES } from 'miniprogram-offline'
import { retentionMs } from './model'
import { ACCEPTED, type ActionRecord, type Observation, type Snapshot } from './observation'
import type { Application } from './server-script'

/**
 * What must hold after any field day, whatever the network, the server, the
 * lifecycle and the crashes did. Each check returns violations as sentences
 * naming the action (`a3`), so a shrunk counterexample explains itself.
 *
 * - Exactly once: no action step is applied twice by the server, under one
 *   Idempotency-Key or several (a retried dead letter gets a new key).
 * - Nothing accepted is lost: an accepted action reached the server, or is
 *   visible in `pending()` (dead-lettered, or held behind a blocking dead
 *   letter), or left with an `expired` or `superseded` event, or the user
 *   discarded it. A call that threw kept nothing.
 * - Order: within a lane, what was accepted earlier reaches the server
 *   earlier (dead letters, which do not block by default, are exempt).
 * - Files: no kept file without its entry, no entry without its files, usage
 *   that matches the disk and the storage, and stays within its budgets.
 * - Reads: a cached copy is one whole answer of the server and, once cached,
 *   is replaced but never lost; the precached version is served whole, never
 *   goes back or away, and after a cold start only its folder is left.
 * - Users: every request of an action carries the Authorization of the user
 *   who made it, and none is sent after a logout (`clear()`) that came after
 *   the call began; what the logout cleared leaves no trace in the outbox.
 * - Clocks: an entry expires only when retention has really passed since it
 *   was made, by the right clock or by the clock the phone shows now (a
 *   wrong clock at write time never shortens it); the drain never waits
 *   longer than the backoff cap (nothing stuck).
 * - Host app: entries a `wx.clearStorageSync()` took are named by a
 *   `storageLost` event (unless the app died before it could notice); a
 *   live call killed on the wire counts as accepted when its entry was
 *   stored (write-ahead), and must then be delivered like any other.
 */

const isSuccess = (application: Application): boolean => application.status >= 200 && application.status < 300
/** A refusal for good: 4xx other than the "not done" ones. */
const isRefusal = (application: Application): boolean =>
  application.status >= 400 && application.status < 500 && ![401, 408, 409, 429].includes(application.status)

/** Indexes the server ledger by action and step. */
class Ledger {
  private readonly successes = new Map<string, Application[]>()

  constructor(readonly applications: readonly Application[]) {
    for (const application of applications) {
      if (!isSuccess(application) || application.tag === undefined) continue
      const key = `${application.tag}#${application.step}`
      this.successes.set(key, [...(this.successes.get(key) ?? []), application])
    }
  }

  successesOf(tag: string, step: number): Application[] {
    return this.successes.get(`${tag}#${step}`) ?? []
  }

  /** Arrival orders of every successful application of an action, any step. */
  successOrders(action: ActionRecord): number[] {
    return action.steps.flatMap((_kind, step) => this.successesOf(action.tag, step).map((application) => application.order))
  }

  /** Every step applied at least once (more than once is reported by the exactly-once check). */
  reached(action: ActionRecord): boolean {
    return action.steps.every((_kind, step) => this.successesOf(action.tag, step).length > 0)
  }

  refusals(tag: string): Application[] {
    return this.applications.filter((application) => application.tag === tag && isRefusal(application))
  }

  describe(action: ActionRecord): string {
    const mine = this.applications.filter((application) => application.tag === action.tag)
    if (mine.length === 0) return 'the server never applied it'
    return `server: ${mine.map((application) => `#${application.order} step ${application.step} ${application.status}`).join(', ')}`
  }
}

/** Every violation of the invariants in `observation`; empty when all hold. */
export function checkInvariants(observation: Observation): string[] {
  // A day that hit a problem stopped there: the other checks would only echo it.
  if (observation.problems.length > 0) return observation.problems
  const ledger = new Ledger(observation.ledger)
  return [
    ...checkServerSide(observation, ledger),
    ...checkFates(observation, ledger),
    ...checkLaneOrder(observation, ledger),
    ...observation.snapshots.flatMap((snapshot) => checkSnapshot(observation, snapshot, ledger)),
    ...observation.snapshots.flatMap((snapshot) => checkReads(observation, snapshot)),
    ...checkManifestProgress(observation),
    ...checkUsers(observation),
    ...checkExpiries(observation),
    ...(observation.drained ? [] : ['the outbox did not drain on good wifi: entries free to move are still pending']),
  ]
}

/** Logouts the whole day had (the last action's count at return is a lower bound; arrivals carry the rest). */
function logoutsOf(observation: Observation): number {
  return observation.shapes.logouts
}

/** Whether an action's entry was ever stored: listed by `pending()`, or sent (a send is write-ahead). */
function wasStored(observation: Observation, action: ActionRecord): boolean {
  return (
    observation.snapshots.some((snapshot) => snapshot.pending.some((each) => each.tag === action.tag)) ||
    observation.arrivals.some((arrival) => arrival.tag === action.tag)
  )
}

/**
 * How a `wx.clearStorageSync()` accounts for an action: `reported` when a
 * `storageLost` event named its entry, `unnoticed` when the start of the app
 * that was wiped died before it looked, `unreported` when it looked and did
 * not name it; undefined when no wipe took it.
 */
function wipeFate(observation: Observation, action: ActionRecord): 'reported' | 'unnoticed' | 'unreported' | undefined {
  let fate: 'reported' | 'unnoticed' | 'unreported' | undefined
  for (const wipe of observation.wipes) {
    const entry = wipe.entries.find((each) => each.tag === action.tag)
    if (!entry) continue
    const lostEvents = observation.events.slice(wipe.eventsBefore).filter((event) => event.name === 'storageLost')
    if (lostEvents.some((event) => event.ids?.includes(entry.entryId))) return 'reported'
    const noticed = lostEvents.some((event) => event.instance === wipe.instance)
    fate = noticed || wipe.instance === observation.starts ? 'unreported' : 'unnoticed'
  }
  return fate
}

/** At most once per key and per action step; every request keyed, of a known action, with a correct payload. */
export function checkServerSide(observation: Observation, ledger: Ledger = new Ledger(observation.ledger)): string[] {
  const violations: string[] = []
  const byTag = new Map(observation.actions.map((action) => [action.tag, action]))
  if (observation.requestsWithoutKey > 0) violations.push(`${observation.requestsWithoutKey} request(s) reached the server without an Idempotency-Key`)
  const successKeys = new Map<string, number>()
  for (const application of observation.ledger) {
    const action = application.tag === undefined ? undefined : byTag.get(application.tag)
    const name = action?.id ?? application.tag ?? 'a request without an action'
    if (!application.payloadOk) violations.push(`${name} step ${application.step} (#${application.order}): ${application.payloadProblem}`)
    if (!isSuccess(application)) continue
    if (!action) {
      violations.push(`the server applied ${name}, which no action of the day sent`)
      continue
    }
    if (application.key !== undefined) successKeys.set(application.key, (successKeys.get(application.key) ?? 0) + 1)
    if (action.steps.length > 1 && !application.key?.endsWith(`:${application.step}`)) {
      violations.push(`${name} step ${application.step} was sent with key ${application.key}, not <task key>:${application.step}`)
    }
    if (application.step > 0 && !ledger.successesOf(action.tag, application.step - 1).some((earlier) => earlier.order < application.order)) {
      violations.push(`${name} step ${application.step} reached the server (#${application.order}) before step ${application.step - 1} succeeded`)
    }
  }
  for (const [key, count] of successKeys) if (count > 1) violations.push(`idempotency key ${key} was applied ${count} times`)
  for (const action of observation.actions) {
    action.steps.forEach((_kind, step) => {
      const applied = ledger.successesOf(action.tag, step)
      if (applied.length > 1) {
        violations.push(`${action.id} step ${step} was applied ${applied.length} times (keys ${applied.map((each) => each.key).join(', ')}; ${ledger.describe(action)})`)
      }
    })
  }
  return violations
}

/** Every accepted action is delivered or accounted for; a call that threw kept nothing. */
export function checkFates(observation: Observation, ledger: Ledger = new Ledger(observation.ledger)): string[] {
  const violations: string[] = []
  const final = observation.snapshots[observation.snapshots.length - 1]
  if (!final) return ['no final snapshot: the app could not be read after the drain']
  const eventFor = (tag: string, name: string): boolean => observation.events.some((event) => event.tag === tag && event.name === name)
  for (const action of observation.actions) {
    const item = final.pending.find((each) => each.tag === action.tag)
    const inOutbox = observation.snapshots.some((snapshot) => snapshot.pending.some((each) => each.tag === action.tag))
    const late = action.steps.some((_kind, step) => ledger.successesOf(action.tag, step).some((application) => application.order > action.applicationsAtReturn))
    if (action.outcome === 'refused' || action.outcome === 'rejected') {
      // QuotaExceededError and a live 4xx both promise that nothing was kept.
      if (inOutbox || late) violations.push(`${action.id} was ${action.outcome} (${action.error ?? 'live 4xx'}) yet ${inOutbox ? 'sits in the outbox' : 'reached the server afterwards'}`)
    }
    if (action.outcome === 'sent' && !ledger.reached(action)) violations.push(`${action.id} resolved 'sent' but ${ledger.describe(action)}`)
    if (action.outcome === 'rejected' && (ledger.refusals(action.tag).length !== 1 || ledger.successOrders(action).length > 0)) {
      violations.push(`${action.id} resolved 'rejected' but ${ledger.describe(action)}`)
    }
    if (action.outcome === 'queued' && action.logoutsAtReturn > action.logoutsAtCall) {
      // 'queued' promises a later send; a logout during the call is a wall it may not cross ('withdrawn').
      violations.push(`${action.id} resolved 'queued' though a logout came during the call (it cannot be sent later: 'withdrawn'); ${ledger.describe(action)}`)
    }
    const loggedOutAfter = logoutsOf(observation) > action.logoutsAtCall
    if (loggedOutAfter && item !== undefined) {
      violations.push(`${action.id} (${action.outcome}) was made before a logout yet is ${item.state} in the outbox after the drain; ${ledger.describe(action)}`)
      continue
    }
    if (action.outcome === 'withdrawn') continue
    // Killed during the call: accepted only when write-ahead had stored it.
    const acceptedWhenKilled = action.outcome === 'killed' && wasStored(observation, action)
    if ((!ACCEPTED.has(action.outcome) && !acceptedWhenKilled) || action.outcome === 'sent' || action.outcome === 'rejected') continue
    const blocked = observation.day.options.blockOnDeadLetter && final.pending.some((each) => each.state === 'deadLetter' && each.lane === item?.lane)
    const wiped = wipeFate(observation, action)
    const accounted =
      (ledger.reached(action) && item === undefined) ||
      item?.state === 'deadLetter' ||
      (item?.state === 'pending' && blocked) ||
      eventFor(action.tag, 'expired') ||
      eventFor(action.tag, 'superseded') ||
      observation.discarded.has(action.tag) ||
      (loggedOutAfter && item === undefined) ||
      (item === undefined && (wiped === 'reported' || wiped === 'unnoticed'))
    if (accounted) continue
    const where = item ? `still ${item.state} in the outbox after the drain` : 'gone from the outbox'
    const how = acceptedWhenKilled ? 'killed during the call after its entry was stored' : `accepted (${action.outcome})`
    const wipeText = wiped === 'unreported' ? ', and wiped by the host app without a storageLost event naming it' : ''
    violations.push(`${action.id} was ${how} but is ${where}, without an expired or superseded event${wipeText}; ${ledger.describe(action)}`)
  }
  return violations
}

/** Every request of an action carries its user's Authorization, and none was sent after a logout that followed the call. */
export function checkUsers(observation: Observation): string[] {
  const violations: string[] = []
  const byTag = new Map(observation.actions.map((action) => [action.tag, action]))
  for (const arrival of observation.arrivals) {
    const action = byTag.get(arrival.tag)
    if (!action) continue
    const user = /^Bearer u(\d+)\.t\d+$/.exec(arrival.authorization ?? '')?.[1]
    const what = `${action.id} step ${arrival.step} (made by user ${action.user})`
    if (user === undefined) violations.push(`${what} reached the server with Authorization ${JSON.stringify(arrival.authorization)}`)
    else if (Number(user) !== action.user) violations.push(`${what} reached the server with user ${user}'s Authorization`)
    if (arrival.logouts !== undefined && arrival.logouts > action.logoutsAtCall) {
      violations.push(`${what} was sent after logout #${arrival.logouts}, which came after the call began (logouts then: ${action.logoutsAtCall})`)
    }
  }
  return violations
}

/**
 * An entry expires only once retention has passed since it was made: really
 * (by the right time), or by the phone's clock now (the SDK cannot know
 * that clock is wrong today). A clock that was wrong when it was made must
 * not shorten its wait.
 */
export function checkExpiries(observation: Observation): string[] {
  const violations: string[] = []
  const retention = retentionMs(observation.day.options)
  const byTag = new Map(observation.actions.map((action) => [action.tag, action]))
  for (const event of observation.events) {
    if (event.name !== 'expired' || event.tag === undefined) continue
    const action = byTag.get(event.tag)
    if (!action) continue
    const waited = event.rightTime - action.rightTimeAtCall
    const byClockNow = event.wallTime - action.rightTimeAtCall
    if (waited < retention && byClockNow < retention) {
      violations.push(
        `${action.id} expired after ${Math.round(waited / 60_000)} min of its ${retention / 60_000} min retention` +
          `${action.skewedAtCall ? ' (the phone clock was wrong when it was made)' : ''}`,
      )
    }
  }
  return violations
}

/** Within a lane, accepted order is arrival order; an action ever dead-lettered may be overtaken (and may overtake after its retry). */
export function checkLaneOrder(observation: Observation, ledger: Ledger = new Ledger(observation.ledger)): string[] {
  const violations: string[] = []
  const everDead = new Set([...observation.deadLetterSightings, ...observation.events.filter((event) => event.name === 'deadLettered').map((event) => event.tag)])
  const ordered = observation.actions.filter((action) => !everDead.has(action.tag))
  for (const [i, earlier] of ordered.entries()) {
    const earlierOrders = ledger.successOrders(earlier)
    if (earlierOrders.length === 0) continue
    const earlierLast = Math.max(...earlierOrders)
    for (const later of ordered.slice(i + 1)) {
      // A logout between them makes them two users' actions: no order between them.
      if (later.action.lane !== earlier.action.lane || later.logoutsAtCall !== earlier.logoutsAtCall) continue
      const laterOrders = ledger.successOrders(later)
      if (laterOrders.length === 0) continue
      const laterFirst = Math.min(...laterOrders)
      if (laterFirst < earlierLast) {
        violations.push(
          `lane ${JSON.stringify(earlier.action.lane)}: ${later.id} reached the server (#${laterFirst}) before ${earlier.id}, called earlier, was through (#${earlierLast})`,
        )
      }
    }
  }
  return violations
}

/** One settled moment: honest counts, no duplicates, files matching entries, usage matching reality and budgets. */
export function checkSnapshot(observation: Observation, snapshot: Snapshot, ledger: Ledger = new Ledger(observation.ledger)): string[] {
  const at = `${snapshot.where}:`
  const violations: string[] = []
  const byTag = new Map(observation.actions.map((action) => [action.tag, action]))
  const { usage, pending, files } = snapshot
  if (usage.storageBytes > usage.storageBudgetBytes) violations.push(`${at} storage usage ${usage.storageBytes} B exceeds its budget ${usage.storageBudgetBytes} B`)
  if (usage.fileBytes > usage.fileBudgetBytes) violations.push(`${at} file usage ${usage.fileBytes} B exceeds its budget ${usage.fileBudgetBytes} B`)
  // A wipe the SDK has not looked at yet leaves its figures stale until it does (at the next trigger).
  if (usage.storageBytes !== snapshot.storageBytesInStorage && !snapshot.wipeUnnoticed) {
    violations.push(`${at} usage() says ${usage.storageBytes} storage bytes but the SDK's keys take ${snapshot.storageBytesInStorage} B`)
  }
  const fileBytes = files.reduce((sum, file) => sum + file.bytes, 0)
  if (usage.fileBytes !== fileBytes) violations.push(`${at} usage() says ${usage.fileBytes} file bytes but the SDK folder holds ${fileBytes} B`)
  const cacheBytes = (snapshot.reads?.cacheFiles ?? []).reduce((sum, file) => sum + file.bytes, 0)
  if (snapshot.userFileBytes !== fileBytes + cacheBytes) {
    violations.push(`${at} user files take ${snapshot.userFileBytes} B, the outbox folder ${fileBytes} B and the read cache ${cacheBytes} B: files elsewhere`)
  }
  const waiting = pending.filter((item) => item.state === 'pending').length
  const dead = pending.length - waiting
  // Until the SDK looks after a wipe, its counts are from memory and pending() reads what storage still has.
  if ((snapshot.status.pending !== waiting || snapshot.status.deadLetters !== dead) && !snapshot.wipeUnnoticed) {
    violations.push(`${at} status says ${snapshot.status.pending} pending and ${snapshot.status.deadLetters} dead letters, pending() lists ${waiting} and ${dead}`)
  }
  const tags = pending.map((item) => item.tag)
  for (const tag of new Set(tags)) {
    const copies = tags.filter((each) => each === tag).length
    if (tag === undefined) violations.push(`${at} ${copies} entr(ies) without the action metadata the app gave`)
    else if (copies > 1) violations.push(`${at} ${byTag.get(tag)?.id ?? tag} is in the outbox ${copies} times`)
  }
  const liveIds = new Set(pending.map((item) => item.entryId))
  for (const file of files) {
    const owner = file.name.slice(0, file.name.indexOf('.'))
    // An entry a wipe took keeps its files until the SDK looks (then it releases them, or the next start's cleanup does).
    if (!liveIds.has(owner) && !snapshot.wipeUnnoticed) violations.push(`${at} kept file ${file.name} belongs to no entry`)
  }
  const fileNames = new Set(files.map((file) => file.name))
  for (const item of pending) {
    const action = item.tag === undefined ? undefined : byTag.get(item.tag)
    if (!action) continue
    action.steps.forEach((kind, step) => {
      if (kind === 'photo' && step >= item.done && !fileNames.has(`${item.entryId}.${step}.jpg`)) {
        violations.push(`${at} ${action.id} (${item.state}) has lost the kept file of its step ${step}`)
      }
      if (step < item.done && ledger.successesOf(action.tag, step).length === 0) {
        violations.push(`${at} ${action.id} counts step ${step} as done but the server never applied it`)
      }
    })
  }
  return violations
}

/** The read side at one settled moment: whole copies, none lost, the precached version whole, no leftovers after a cold start. */
export function checkReads(observation: Observation, snapshot: Snapshot): string[] {
  const reads = snapshot.reads
  if (!reads) return []
  const at = `${snapshot.where}:`
  const violations: string[] = []
  for (const { path, body } of reads.cached) {
    if (body !== undefined && !observation.readBodiesGiven.get(path)?.has(body)) {
      violations.push(`${at} the cached copy of ${path} is ${body}, which the server never gave`)
    }
    if (body === undefined && reads.mustBeCached.includes(path)) violations.push(`${at} the cached copy of ${path} was lost`)
  }
  const version = reads.manifestVersion
  const wrong = reads.precache.filter((served) => served !== version)
  if (version !== undefined && wrong.length > 0) violations.push(`${at} version ${version} is served, but its resources are served as ${reads.precache.join(', ')}`)
  if (snapshot.afterColdStart && reads.precacheFolders.length !== (version === undefined ? 0 : 1)) {
    violations.push(`${at} serving ${version ?? 'no version'}, the read cache keeps the folders ${reads.precacheFolders.join(', ') || 'none'}`)
  }
  if (reads.cacheStorageBytes > DEFAULT_CACHE_MAX_BYTES) violations.push(`${at} the read cache takes ${reads.cacheStorageBytes} B of storage, over its ${DEFAULT_CACHE_MAX_BYTES} B budget`)
  return violations
}

/** Versions are never withdrawn in a field day: once one is served, a version stays served, and it never goes back. */
export function checkManifestProgress(observation: Observation): string[] {
  let newest = 0
  let wipes = 0
  /** A host-app wipe came after the newest version was installed: it may take it, once. */
  let mayBeWiped = false
  for (const snapshot of observation.snapshots) {
    if (snapshot.wipes !== wipes) mayBeWiped = true
    wipes = snapshot.wipes
    const version = snapshot.reads?.manifestVersion
    const number = version === undefined ? 0 : Number(version.slice(1))
    if (number === 0 && mayBeWiped) {
      newest = 0
      mayBeWiped = false
      continue
    }
    if (number < newest) return [`${snapshot.where}: the precache serves ${version ?? 'no version'} after it served v${newest}`]
    if (number > newest) mayBeWiped = false
    newest = number
  }
  return []
}

/** The day's outcome in a few lines, printed under a failure. */
export function describeObservation(observation: Observation): string {
  const ledger = new Ledger(observation.ledger)
  const final = observation.snapshots[observation.snapshots.length - 1]
  const lines = [`day ${observation.dayTag}: ${observation.starts} start(s), ${observation.kills} kill(s)`]
  for (const action of observation.actions) {
    const item = final?.pending.find((each) => each.tag === action.tag)
    const events = observation.events.filter((event) => event.tag === action.tag).map((event) => `${event.name}@${event.instance}`)
    lines.push(
      `  ${action.id} -> ${action.outcome}${action.error ? ` (${action.error})` : ''}; ${ledger.describe(action)}; ` +
        `events [${events.join(' ')}]; final: ${item ? `${item.state} ${item.done}/${item.total}` : 'not in the outbox'}`,
    )
  }
  for (const event of observation.events.filter((each) => each.name === 'storageLost')) lines.push(`  storageLost@${event.instance}: [${(event.ids ?? []).join(' ')}]`)
  for (const [index, wipe] of observation.wipes.entries()) {
    lines.push(`  wipe ${index + 1}@${wipe.instance} took [${wipe.entries.map((entry) => `${entry.entryId}=${entry.tag ?? '?'}`).join(' ')}]`)
  }
  lines.push(`  trace: ${observation.trace.map((op) => `${op.index + 1}:${op.writesAfter - op.writesBefore}w${op.killed ? '+kill' : ''}`).join(' ')}`)
  return lines.join('\n')
}

export type { Ledger }
