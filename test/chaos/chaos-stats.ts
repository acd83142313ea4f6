import { noShapes, type Observation, type ShapeCounts } from './observation'

/**
 * What the played days actually went through. Printed after the suite, and
 * for CI's fixed set each kind of trouble must have happened at least once:
 * invariants that held only because the generator never produced the
 * trouble would prove nothing.
 */
export class ChaosStats {
  days = 0
  actions = 0
  accepted = 0
  notAccepted = 0
  /** Actions refused with QuotaExceededError (tight budgets). */
  refusedForQuota = 0
  kills = 0
  coldStarts = 0
  applications = 0
  /** Applications answered 401/409/429/5xx: the retry was applied afresh. */
  notDoneAnswers = 0
  deadLetters = 0
  expired = 0
  superseded = 0
  /** Tasks whose steps all reached the server with resolved references. */
  tasksDelivered = 0
  /** Kept photos uploaded (applied) byte-exact. */
  photosUploaded = 0
  /** Reads the network answered: cache updates. */
  cacheUpdates = 0
  /** Precache manifest updates that went through. */
  manifestUpdates = 0
  /** The real-app shapes, summed over the days. */
  readonly shapes: ShapeCounts = noShapes()
  /** Calls `clear()` answered `withdrawn` (a logout while they were on the wire). */
  withdrawn = 0
  /** Live calls killed after write-ahead stored them (the server saw them during the call): counted as accepted. */
  killedAfterStore = 0
  /** Entries a host-app wipe took that a `storageLost` event named. */
  reportedLost = 0
  /** Days with a `headers` provider that throws now and then. */
  daysWithThrowingProvider = 0
  /** Logouts where the next user's page brought its own `headers` provider (not one reading the session). */
  logoutsToOwnProvider = 0
  /** Days replayed through the batch endpoint. */
  batchDays = 0

  add(observation: Observation): void {
    this.days += 1
    this.actions += observation.actions.length
    this.accepted += observation.actions.filter((action) => ['sent', 'queued', 'rejected', 'deadLettered'].includes(action.outcome)).length
    this.notAccepted += observation.actions.filter((action) => ['killed', 'refused', 'failed', 'hung'].includes(action.outcome)).length
    this.refusedForQuota += observation.actions.filter((action) => action.outcome === 'refused').length
    this.kills += observation.kills
    this.coldStarts += observation.starts - 1
    this.applications += observation.ledger.length
    this.notDoneAnswers += observation.ledger.filter((application) => [401, 409, 429].includes(application.status) || application.status >= 500).length
    this.deadLetters += observation.deadLetterSightings.size
    this.expired += observation.events.filter((event) => event.name === 'expired').length
    this.superseded += observation.events.filter((event) => event.name === 'superseded').length
    const succeeded = (tag: string, step: number): boolean =>
      observation.ledger.some((application) => application.tag === tag && application.step === step && application.status < 300)
    this.tasksDelivered += observation.actions.filter(
      (action) => action.action.kind === 'task' && action.steps.every((_kind, step) => succeeded(action.tag, step)),
    ).length
    this.photosUploaded += observation.ledger.filter((application) => application.path === '/upload' && application.status < 300).length
    this.cacheUpdates += observation.readCounts.networkReads
    this.manifestUpdates += observation.readCounts.manifestUpdates
    for (const name of Object.keys(this.shapes) as Array<keyof ShapeCounts>) this.shapes[name] += observation.shapes[name]
    this.withdrawn += observation.actions.filter((action) => action.outcome === 'withdrawn').length
    this.killedAfterStore += observation.actions.filter(
      (action) =>
        action.outcome === 'killed' && observation.ledger.some((application) => application.tag === action.tag && application.order <= action.applicationsAtReturn),
    ).length
    const lost = new Set(observation.events.flatMap((event) => (event.name === 'storageLost' ? (event.ids ?? []) : [])))
    this.reportedLost += observation.wipes.flatMap((wipe) => wipe.entries).filter((entry) => lost.has(entry.entryId)).length
    if (observation.day.options.headersThrowEvery !== undefined) this.daysWithThrowingProvider += 1
    if (observation.day.options.providerPerPage) this.logoutsToOwnProvider += observation.shapes.logouts
    if (observation.day.options.batch) this.batchDays += 1
  }

  /** Counters that must be above zero for CI's fixed set. */
  coverage(): Record<string, number> {
    return {
      refusedForQuota: this.refusedForQuota,
      kills: this.kills,
      notDoneAnswers: this.notDoneAnswers,
      deadLetters: this.deadLetters,
      expired: this.expired,
      superseded: this.superseded,
      tasksDelivered: this.tasksDelivered,
      photosUploaded: this.photosUploaded,
      cacheUpdates: this.cacheUpdates,
      manifestUpdates: this.manifestUpdates,
      ...this.shapes,
      withdrawn: this.withdrawn,
      killedAfterStore: this.killedAfterStore,
      reportedLost: this.reportedLost,
      logoutsToOwnProvider: this.logoutsToOwnProvider,
      batchDays: this.batchDays,
    }
  }

  /** The real-app shapes in one line (the CI run's counts are quoted in README.md). */
  shapesSummary(): string {
    const s = this.shapes
    return (
      `pages: ${s.pagesOpened} opened, ${s.pagesClosed} closed (${s.pagesClosedWhileSending} while sending); ` +
      `logouts: ${s.logouts} (${s.logoutsWhileSending} while sending, ${this.logoutsToOwnProvider} to a page with its own provider, ${this.withdrawn} calls withdrawn); ` +
      `kills on the wire: ${s.killsOnWire} (${this.killedAfterStore} calls killed after their entry was stored); ` +
      `clock set wrong: ${s.skews} times (${s.skewsDuringBackoff} during a backoff), ${s.actionsWithSkewedClock} actions made on a wrong clock; ` +
      `host app: ${s.wipes} wipes (${this.reportedLost} entries reported lost), ${s.fills} fills (${s.refusedWhileFull} actions refused while full); ` +
      `throwing app code: ${s.listenerThrows} listener throws, ${s.providerThrows} provider throws in ${this.daysWithThrowingProvider} days; ` +
      `batch days: ${this.batchDays}`
    )
  }

  summary(): string {
    return (
      `${this.days} field days: ${this.actions} actions (${this.accepted} accepted, ${this.notAccepted} not: ${this.refusedForQuota} over budget, the rest killed mid-call), ` +
      `${this.kills} kills and ${this.coldStarts} cold starts, ${this.applications} server applications (${this.notDoneAnswers} answered not-done), ` +
      `${this.deadLetters} dead letters, ${this.expired} expired, ${this.superseded} superseded, ${this.tasksDelivered} tasks and ${this.photosUploaded} photos delivered, ` +
      `${this.cacheUpdates} cache updates, ${this.manifestUpdates} manifest updates`
    )
  }
}
