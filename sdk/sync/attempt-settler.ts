import type { QuotaExceededError } from '../errors'
import type { Clock, HttpResponse } from '../platform/platform'
import type { Outbox } from '../queue/outbox'
import type { AttemptError, OutboxEntry } from '../queue/outbox-entry'
import type { RetentionPolicy } from '../queue/retention'
import type { StepResult } from '../queue/step-reference'
import type { TypedEmitter } from '../util/typed-emitter'
import type { AttemptOutcome, Verdict } from './answer-classifier'
import { describeAttempt } from './attempt-error'
import type { BackoffSchedule } from './backoff-schedule'
import { nextStep, type SendOutcome } from './entry-sender'
import { parseRetryAfter, type RetryPolicy } from './retry-policy'
import type { SyncEvents } from './sync-events'

/** What a lane does after an entry settled. */
export type LaneStep = 'next' | 'stopLane' | 'stopAll'

/** What became of an entry sent at once (a live request, upload or task). */
export type LiveOutcome =
  | { kind: 'sent'; response: HttpResponse }
  /** The server refused it and, as `dropRefused` asked, it was removed: the caller has the answer. */
  | { kind: 'rejected'; response: HttpResponse }
  /** It failed for good and is kept as a dead letter. */
  | { kind: 'deadLettered'; error: AttemptError }
  /** It stays stored and will be replayed. */
  | { kind: 'waiting' }
  /** The outbox was cleared while it was being sent. */
  | { kind: 'withdrawn' }

/** How an attempt was started: by replay, or at once for a live call (which may drop a refused entry). */
export interface AttemptMode {
  live: boolean
  dropRefused: boolean
}

export const REPLAY: AttemptMode = { live: false, dropRefused: false }

/** What an attempt did: to its lane, and for a live caller. */
export interface AttemptResult {
  step: LaneStep
  live: LiveOutcome
}

/** How verdicts are reached and recorded: the policy a replay engine passes on to its settler. */
export interface SettlePolicy {
  outbox: Outbox
  events: TypedEmitter<SyncEvents>
  clock: Clock
  random: () => number
  retry: RetryPolicy
  classify: (outcome: AttemptOutcome) => Verdict
  /** The app's credentials refresh for a 401, as configured now (`undefined`: none); the entry is then tried again. */
  authRefresher: () => (() => unknown) | undefined
  /** A dead letter stops the rest of its lane until retried or discarded. */
  blockOnDeadLetter: boolean
  retention: RetentionPolicy
  /** Told whenever counts or the syncing state change. */
  onChange: () => void
}

export interface AttemptSettlerOptions extends SettlePolicy {
  schedule: BackoffSchedule
  /** A retry was scheduled for `at`. */
  onWaitScheduled: (at: number) => void
  /** A waiting entry was delivered by replay. */
  onDelivered: () => void
}

/** A transport failure that says the network is gone (so every lane stops), unlike a slow host. */
function networkIsGone(outcome: AttemptOutcome): boolean {
  return !outcome.response && outcome.problem === undefined && !/timeout/i.test(outcome.errMsg ?? '')
}

/**
 * The second half of every attempt, live or replayed, single or batched:
 * the answer classified (answer-classifier.ts) and its verdict written to
 * the outbox. An entry leaves storage only when the server took it, or
 * when a live caller takes the refusal itself.
 */
export class AttemptSettler {
  private authRefresh: Promise<unknown> | undefined

  constructor(private readonly options: AttemptSettlerOptions) {}

  /** Classifies an attempt's outcome and records the verdict: removed, progressed, retried, or dead-lettered. */
  async settle(entry: OutboxEntry, outcome: SendOutcome, mode: AttemptMode): Promise<AttemptResult> {
    const verdict = this.options.classify(outcome)
    if (verdict === 'done') return this.stepDone(entry, outcome, mode)
    const { index, total } = nextStep(entry)
    const error = describeAttempt(outcome, this.options.clock.now(), total > 1 ? index : undefined)
    const attempted: OutboxEntry = { ...entry, attempts: entry.attempts + 1, lastError: error }
    if (verdict === 'deadLetter' && mode.dropRefused && outcome.response) {
      this.options.outbox.remove(entry)
      return { step: 'next', live: { kind: 'rejected', response: outcome.response } }
    }
    if (verdict === 'deadLetter' || attempted.attempts >= this.options.retry.maxAttempts) {
      return { step: this.deadLetter(attempted), live: { kind: 'deadLettered', error } }
    }
    if (verdict === 'authExpired' && this.options.authRefresher() && entry.lastError?.statusCode !== 401) {
      await this.refreshAuth()
      this.options.outbox.update(attempted)
      return { step: 'next', live: { kind: 'waiting' } }
    }
    this.scheduleRetry(attempted, outcome)
    // No answer at all means the network is gone: stop every lane. A slow host only stops its own.
    return { step: networkIsGone(outcome) ? 'stopAll' : 'stopLane', live: { kind: 'waiting' } }
  }

  /**
   * A step succeeded. A task's progress is stored before its next step runs,
   * so after a crash a finished step is never sent again; the last step
   * removes the entry.
   */
  private stepDone(entry: OutboxEntry, outcome: SendOutcome, mode: AttemptMode): AttemptResult {
    const { index, total } = nextStep(entry)
    const response = outcome.response as HttpResponse
    if (index + 1 < total) {
      const progressed: OutboxEntry = { ...entry, done: index + 1, results: [...(entry.results ?? []), outcome.result as StepResult], attempts: 0 }
      delete progressed.lastError
      this.options.outbox.update(progressed)
      this.options.events.emit('progress', { entry: progressed, done: index + 1, total })
      return { step: 'next', live: { kind: 'waiting' } }
    }
    this.options.outbox.remove(entry)
    this.options.schedule.forget(entry.id)
    this.options.retention.forget(entry.id)
    if (!mode.live) this.options.onDelivered()
    this.options.events.emit('sent', { entry, response })
    return { step: 'next', live: { kind: 'sent', response } }
  }

  /**
   * The attempt's outcome (a backoff, a task's progress) did not fit the
   * storage budget. The entry stays as stored, so nothing is lost and no
   * finished step is lost either (it is resent under the same key); the lane
   * waits a backoff in memory and the app hears `quotaExceeded`.
   */
  cannotRecord(entry: OutboxEntry, error: QuotaExceededError): LaneStep {
    const nextAttemptAt = this.options.clock.now() + this.options.retry.delayFor(entry.attempts + 1, this.options.random())
    this.options.schedule.waitUntil(entry.id, nextAttemptAt)
    this.options.onWaitScheduled(nextAttemptAt)
    this.options.events.emit('quotaExceeded', { error })
    return 'stopLane'
  }

  private deadLetter(entry: OutboxEntry): LaneStep {
    const dead: OutboxEntry = { ...entry, deadLetter: entry.lastError }
    delete dead.lastError
    delete dead.nextAttemptAt
    this.options.outbox.deadLetter(dead)
    this.options.schedule.forget(entry.id)
    this.options.events.emit('deadLettered', { entry: dead })
    return this.options.blockOnDeadLetter ? 'stopLane' : 'next'
  }

  private scheduleRetry(entry: OutboxEntry, outcome: AttemptOutcome): void {
    const now = this.options.clock.now()
    const retryAfter = outcome.response ? parseRetryAfter(outcome.response.header, now) : undefined
    const nextAttemptAt = now + this.options.retry.delayFor(entry.attempts, this.options.random(), retryAfter)
    const waiting: OutboxEntry = { ...entry, nextAttemptAt }
    this.options.outbox.update(waiting)
    this.options.schedule.waitUntil(entry.id, nextAttemptAt, retryAfter !== undefined)
    this.options.onWaitScheduled(nextAttemptAt)
    this.options.onChange()
    this.options.events.emit('retryScheduled', { entry: waiting, nextAttemptAt })
  }

  /** One refresh for all the 401s of a replay. */
  async refreshAuth(): Promise<void> {
    if (!this.authRefresh) {
      this.authRefresh = Promise.resolve()
        .then(() => this.options.authRefresher()?.())
        .finally(() => {
          this.authRefresh = undefined
        })
    }
    await this.authRefresh.catch(() => undefined)
  }
}
