import { QuotaExceededError } from '../errors'
import type { Clock, HttpResponse, PlatformHttp } from '../platform/platform'
import type { Outbox } from '../queue/outbox'
import type { AttemptError, OutboxEntry } from '../queue/outbox-entry'
import type { StepResult } from '../queue/step-reference'
import type { TypedEmitter } from '../util/typed-emitter'
import type { AttemptOutcome, Verdict } from './answer-classifier'
import { parseRetryAfter, type RetryPolicy } from './retry-policy'
import { nextStep, sendNextStep } from './step-sender'
import type { SyncEvents } from './sync-events'

export interface ReplayEngineOptions {
  outbox: Outbox
  http: PlatformHttp
  clock: Clock
  random: () => number
  events: TypedEmitter<SyncEvents>
  retry: RetryPolicy
  classify: (outcome: AttemptOutcome) => Verdict
  /** Headers added at send time (credentials, the idempotency key); never stored. */
  sendTimeHeaders: (idempotencyKey: string) => Promise<Record<string, string>>
  /** Whether a kept file is still there (false: the upload is dead-lettered, not retried). */
  fileExists: (path: string) => Promise<boolean>
  /** Refreshes credentials after a 401; the entry is then tried again. */
  onAuthExpired?: () => unknown
  /** Lanes replayed at once. */
  concurrency: number
  /** A dead letter stops the rest of its lane until retried or discarded. */
  blockOnDeadLetter: boolean
  /** Entries older than this (ms) are removed with an `expired` event. */
  retentionMs: number
  /** Whether sending is worth trying now (online and in the foreground). */
  canSend: () => boolean
  /** A lane whose live request is in flight: replaying it now could overtake that request. */
  isLaneHeld: (lane: string) => boolean
  /** Told whenever counts or the syncing state change. */
  onChange: () => void
  /** Resolves once the side effects of removed entries (deleting kept files) are done; awaited before a replay ends. */
  sideEffectsSettled: () => Promise<void>
}

/** What one attempt did to an entry's lane. */
type LaneStep = 'next' | 'stopLane' | 'stopAll'

/**
 * Replays one outbox: oldest first within each lane, lanes in parallel up to
 * `concurrency`, an entry removed only once the server has answered it.
 * One replay runs at a time; a trigger during a replay makes it go round once
 * more instead of starting another, so no entry is ever sent twice at once.
 */
export class ReplayEngine {
  private running: Promise<void> | undefined
  private again = false
  private stopped = false
  private retryTimer: unknown
  private readonly retryAt = new Map<string, number>()
  private readonly sending = new Set<string>()
  private authRefresh: Promise<unknown> | undefined
  /** When the last replay finished. */
  lastSyncAt: number | undefined
  /** When the earliest scheduled retry is due. */
  nextRetryAt: number | undefined

  constructor(private readonly options: ReplayEngineOptions) {}

  get syncing(): boolean {
    return this.running !== undefined
  }

  /** Entries being sent right now. */
  get inFlight(): number {
    return this.sending.size
  }

  /** Whether an entry is being sent right now (it cannot be discarded or replaced meanwhile). */
  isSending(id: string): boolean {
    return this.sending.has(id)
  }

  /** Starts a replay, or makes the running one go round again. Resolves when the replay ends. */
  replay(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = this.runUntilSettled()
    this.running = run
    this.options.onChange()
    return run
  }

  /** Classifies an answer the way replay would (used for live sends). */
  classifyLive(outcome: AttemptOutcome): Verdict {
    return this.options.classify(outcome)
  }

  /** Forgets an entry's backoff, so the next replay tries it at once. */
  clearBackoff(id: string): void {
    this.retryAt.delete(id)
  }

  /** Stops timers; a running replay finishes its current attempts and sends nothing more. */
  stop(): void {
    this.stopped = true
    this.cancelRetryTimer()
  }

  /** Cancels the backoff timer (the app went to the background). */
  pause(): void {
    this.cancelRetryTimer()
  }

  /** Re-arms the backoff timer (the app came back). */
  resume(): void {
    this.scheduleRetryTimer()
  }

  private async runUntilSettled(): Promise<void> {
    try {
      do {
        this.again = false
        this.expireOld()
        await this.runPass()
        // So that a finished replay means what it says: no sent entry's file is still on disk.
        await this.options.sideEffectsSettled()
      } while (this.again && !this.stopped && this.options.canSend())
    } finally {
      // Cleared in the same tick as the last `again` check: a trigger after
      // this point starts a new replay instead of joining one that is over.
      this.running = undefined
      this.lastSyncAt = this.options.clock.now()
      this.scheduleRetryTimer()
      this.options.onChange()
      if (this.options.outbox.pendingCount === 0) this.options.events.emit('drained', {})
    }
  }

  /** One pass: workers take ready lanes until none is left. */
  private async runPass(): Promise<void> {
    if (!this.options.canSend()) return
    const visited = new Set<string>()
    let haltAll = false
    const takeLane = (): string | undefined => {
      if (haltAll || this.stopped || !this.options.canSend()) return undefined
      const lane = this.options.outbox.laneNames().find((name) => !visited.has(name) && this.isReady(name))
      if (lane !== undefined) visited.add(lane)
      return lane
    }
    const worker = async (): Promise<void> => {
      for (let lane = takeLane(); lane !== undefined; lane = takeLane()) {
        if ((await this.drainLane(lane)) === 'stopAll') haltAll = true
      }
    }
    const workers = Array.from({ length: Math.max(1, this.options.concurrency) }, worker)
    await Promise.all(workers)
  }

  private isReady(lane: string): boolean {
    const head = this.options.outbox.lane(lane)[0]
    if (!head || this.sending.has(head.id) || this.options.isLaneHeld(lane)) return false
    if (this.options.blockOnDeadLetter && this.options.outbox.hasDeadLetterIn(lane)) return false
    return (this.retryAt.get(head.id) ?? 0) <= this.options.clock.now()
  }

  /** Sends a lane's entries in order until it is empty or an attempt stops it. */
  private async drainLane(lane: string): Promise<LaneStep> {
    for (;;) {
      if (this.stopped || !this.options.canSend()) return 'stopAll'
      const head = this.options.outbox.lane(lane)[0]
      if (!head) return 'next'
      if ((this.retryAt.get(head.id) ?? 0) > this.options.clock.now()) return 'stopLane'
      const step = await this.attempt(head.id)
      if (step !== 'next') return step
    }
  }

  private async attempt(id: string): Promise<LaneStep> {
    const { outbox, events } = this.options
    const entry = outbox.read(id)
    if (!entry) return 'next'
    const newest = entry.dedupeKey === undefined ? undefined : outbox.newestFor(entry.dedupeKey)
    if (newest !== undefined && newest !== id) {
      outbox.remove(entry)
      events.emit('superseded', { entry })
      return 'next'
    }
    this.sending.add(id)
    this.options.onChange()
    events.emit('sending', { entry, attempt: entry.attempts + 1 })
    try {
      const outcome = await this.send(entry)
      return await this.settle(entry, outcome)
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error
      return this.cannotRecord(entry, error)
    } finally {
      this.sending.delete(id)
      this.options.onChange()
    }
  }

  private send(entry: OutboxEntry): Promise<AttemptOutcome & { result?: StepResult }> {
    const { http, sendTimeHeaders, fileExists } = this.options
    return sendNextStep(entry, { http, sendTimeHeaders, fileExists })
  }

  private async settle(entry: OutboxEntry, outcome: AttemptOutcome & { result?: StepResult }): Promise<LaneStep> {
    const verdict = this.options.classify(outcome)
    if (verdict === 'done') return this.stepDone(entry, outcome)
    const attempted: OutboxEntry = { ...entry, attempts: entry.attempts + 1, lastError: this.describe(entry, outcome) }
    if (verdict === 'deadLetter' || attempted.attempts >= this.options.retry.maxAttempts) {
      return this.deadLetter(attempted)
    }
    if (verdict === 'authExpired' && this.options.onAuthExpired && entry.lastError?.statusCode !== 401) {
      await this.refreshAuth()
      this.options.outbox.update(attempted)
      return 'next'
    }
    this.scheduleRetry(attempted, outcome)
    // No answer at all means the network is gone: stop every lane, not just this one.
    return outcome.response ? 'stopLane' : 'stopAll'
  }

  /**
   * A step succeeded. A task's progress is stored before its next step runs,
   * so after a crash a finished step is never sent again; the last step
   * removes the entry.
   */
  private stepDone(entry: OutboxEntry, outcome: AttemptOutcome & { result?: StepResult }): LaneStep {
    const { index, total } = nextStep(entry)
    const response = outcome.response as HttpResponse
    if (index + 1 < total) {
      const progressed: OutboxEntry = { ...entry, done: index + 1, results: [...(entry.results ?? []), outcome.result as StepResult], attempts: 0 }
      delete progressed.lastError
      this.options.outbox.update(progressed)
      this.options.events.emit('progress', { entry: progressed, done: index + 1, total })
      return 'next'
    }
    this.options.outbox.remove(entry)
    this.retryAt.delete(entry.id)
    this.options.events.emit('sent', { entry, response })
    return 'next'
  }

  /**
   * The attempt's outcome (a backoff, a task's progress) did not fit the
   * storage budget. The entry stays as stored, so nothing is lost and no
   * finished step is lost either (it is resent under the same key); the lane
   * waits a backoff in memory and the app hears `quotaExceeded`.
   */
  private cannotRecord(entry: OutboxEntry, error: QuotaExceededError): LaneStep {
    const now = this.options.clock.now()
    const nextAttemptAt = now + this.options.retry.delayFor(entry.attempts + 1, this.options.random())
    this.retryAt.set(entry.id, nextAttemptAt)
    this.nextRetryAt = Math.min(this.nextRetryAt ?? Infinity, nextAttemptAt)
    this.options.events.emit('quotaExceeded', { error })
    return 'stopLane'
  }

  private deadLetter(entry: OutboxEntry): LaneStep {
    const dead: OutboxEntry = { ...entry, deadLetter: entry.lastError }
    delete dead.lastError
    delete dead.nextAttemptAt
    try {
      this.options.outbox.deadLetter(dead)
    } catch (error) {
      if (!(error instanceof QuotaExceededError) || dead.deadLetter?.data === undefined) throw error
      // The answer's body did not fit the budget: keep the dead letter without it.
      delete dead.deadLetter.data
      this.options.outbox.deadLetter(dead)
    }
    this.retryAt.delete(entry.id)
    this.options.events.emit('deadLettered', { entry: dead })
    return this.options.blockOnDeadLetter ? 'stopLane' : 'next'
  }

  private scheduleRetry(entry: OutboxEntry, outcome: AttemptOutcome): void {
    const now = this.options.clock.now()
    const retryAfter = outcome.response ? parseRetryAfter(outcome.response.header, now) : undefined
    const nextAttemptAt = now + this.options.retry.delayFor(entry.attempts, this.options.random(), retryAfter)
    const waiting: OutboxEntry = { ...entry, nextAttemptAt }
    this.options.outbox.update(waiting)
    this.retryAt.set(entry.id, nextAttemptAt)
    this.nextRetryAt = Math.min(this.nextRetryAt ?? Infinity, nextAttemptAt)
    this.options.onChange()
    this.options.events.emit('retryScheduled', { entry: waiting, nextAttemptAt })
  }

  /** One refresh for all the 401s of a replay. */
  private async refreshAuth(): Promise<void> {
    if (!this.authRefresh) {
      this.authRefresh = Promise.resolve()
        .then(() => this.options.onAuthExpired?.())
        .finally(() => {
          this.authRefresh = undefined
        })
    }
    await this.authRefresh.catch(() => undefined)
  }

  private describe(entry: OutboxEntry, outcome: AttemptOutcome): AttemptError {
    const at = this.options.clock.now()
    const { index, total } = nextStep(entry)
    const step = total > 1 ? { step: index } : {}
    if (!outcome.response) return { message: outcome.problem ?? outcome.errMsg ?? 'no answer', at, ...step }
    const { statusCode, data } = outcome.response
    return { message: `HTTP ${statusCode}`, statusCode, data, at, ...step }
  }

  private expireOld(): void {
    const { outbox, clock, retentionMs, events } = this.options
    const oldest = clock.now() - retentionMs
    for (const located of outbox.all()) {
      if (located.acceptedAt >= oldest || this.sending.has(located.id)) continue
      const entry = outbox.read(located.id)
      // Told before the removal: a crash in between tells it again at the next start, never not at all.
      if (entry) events.emit('expired', { entry })
      outbox.remove(entry ?? located)
      this.retryAt.delete(located.id)
    }
  }

  private scheduleRetryTimer(): void {
    this.cancelRetryTimer()
    const heads = this.options.outbox.laneNames().map((lane) => this.options.outbox.lane(lane)[0])
    const due = heads.map((head) => this.retryAt.get(head.id)).filter((at): at is number => at !== undefined)
    this.nextRetryAt = due.length > 0 ? Math.min(...due) : undefined
    if (this.nextRetryAt === undefined || this.stopped) return
    const delay = Math.max(0, this.nextRetryAt - this.options.clock.now())
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined
      void this.replay()
    }, delay)
  }

  private cancelRetryTimer(): void {
    if (this.retryTimer === undefined) return
    this.options.clock.clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }
}
