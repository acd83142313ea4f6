import { QuotaExceededError } from '../errors'
import type { TimerHandle } from '../platform/platform'
import type { OutboxEntry } from '../queue/outbox-entry'
import { AttemptSettler, REPLAY, type AttemptMode, type AttemptResult, type LaneStep, type LiveOutcome, type SettlePolicy } from './attempt-settler'
import { BackoffSchedule } from './backoff-schedule'
import type { BatchOptions } from './batch-protocol'
import { BatchReplayer, type BatchHost } from './batch-replayer'
import { sendNextStep, type EntrySenderOptions, type SendOutcome } from './entry-sender'

export type { LiveOutcome }

export interface ReplayEngineOptions extends SettlePolicy {
  sender: EntrySenderOptions
  /** Lanes replayed at once. */
  concurrency: number
  /** Whether sending is worth trying now (online and in the foreground). */
  canSend: () => boolean
  /** Resolves once the side effects of removed entries (deleting kept files) are done; awaited before a replay ends. */
  sideEffectsSettled: () => Promise<void>
  /** Replays through a batch endpoint (see batch-replayer.ts) when given. */
  batch?: {
    options: BatchOptions
    /** The batch request's own headers: the app's credentials. */
    headers: () => Promise<Record<string, string>>
    /** Whether an entry may travel with others (no per-request secrets). */
    mayShareRequest: (entry: OutboxEntry) => boolean
  }
}

/**
 * Sends one outbox: live entries at once, the rest by replay, oldest first
 * within each lane, lanes in parallel up to `concurrency`, an entry removed
 * only once the server has answered it. Both go through one attempt and one
 * settle, so a live send and a replayed one mean the same thing.
 *
 * One replay runs at a time; a trigger during a replay makes it go round once
 * more. An entry being sent is never picked again until its attempt settles,
 * so no entry is ever sent twice at once.
 */
export class ReplayEngine {
  private running: Promise<void> | undefined
  private again = false
  private stopped = false
  private retryTimer: TimerHandle | undefined
  private readonly schedule: BackoffSchedule
  /** Entries being sent, with a way to abort their request. */
  private readonly sending = new Map<string, () => void>()
  /** Bumped by `withdrawAll`: an attempt from an older epoch settles nothing. */
  private epoch = 0
  /** Waiting entries the current replay delivered (a `drained` needs at least one). */
  private deliveredWaiting = 0
  private readonly settler: AttemptSettler
  private idleWaiters: Array<() => void> = []
  /** When the last replay finished. */
  lastSyncAt: number | undefined
  /** When the earliest scheduled retry is due. */
  nextRetryAt: number | undefined

  private readonly batcher: BatchReplayer | undefined

  constructor(private readonly options: ReplayEngineOptions) {
    this.schedule = new BackoffSchedule(options.clock)
    this.settler = new AttemptSettler({
      ...options,
      schedule: this.schedule,
      onWaitScheduled: (at) => (this.nextRetryAt = Math.min(this.nextRetryAt ?? Infinity, at)),
      onDelivered: () => (this.deliveredWaiting += 1),
    })
    this.batcher = options.batch && new BatchReplayer(options.batch.options, this.batchHost(options.batch))
  }

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

  /** Whether entry `id` may be sent at once: sending is possible and nothing waits or is in flight ahead of it in its lane. */
  maySendNow(id: string): boolean {
    const location = this.options.outbox.locate(id)
    if (!location || this.stopped || !this.options.canSend()) return false
    const head = this.options.outbox.lane(location.laneTag)[0]
    return head?.id === id && !this.sending.has(id)
  }

  /**
   * Sends a stored entry now, through the same attempt and settle as replay,
   * step after step for a task, until it is done, refused or has to wait.
   */
  async sendNow(id: string, dropRefused: boolean): Promise<LiveOutcome> {
    for (;;) {
      const { step, live } = await this.attempt(id, { live: true, dropRefused })
      const progressed = live.kind === 'waiting' && step === 'next' && this.options.outbox.locate(id) !== undefined
      if (!progressed || !this.maySendNow(id)) return live
    }
  }

  /** Forgets an entry's backoff, so the next replay tries it at once. */
  clearBackoff(id: string): void {
    this.schedule.forget(id)
  }

  /** Ends the SDK's own backoffs (the user asked to send now, or the network came back); a server's `Retry-After` stays. */
  skipBackoff(): void {
    this.schedule.skipOwnWaits()
  }

  /**
   * The outbox was cleared (logout): requests in flight are aborted, and
   * whatever their attempts later learn is ignored, so nothing accepted
   * before the clear is stored or sent again.
   */
  withdrawAll(): void {
    this.epoch += 1
    for (const abort of this.sending.values()) abort()
    this.schedule.clear()
    this.cancelRetryTimer()
    this.nextRetryAt = undefined
  }

  /** Stops sending: a running replay finishes its current attempts and sends nothing more. */
  stop(): void {
    this.stopped = true
    this.cancelRetryTimer()
  }

  /** Sends again after `stop()`. */
  start(): void {
    this.stopped = false
    this.scheduleRetryTimer()
  }

  /** `undefined` when no attempt is in flight and no replay runs, else a promise that resolves once so. */
  busy(): Promise<void> | undefined {
    if (this.isIdle()) return undefined
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Cancels the backoff timer (the app went to the background). */
  pause(): void {
    this.cancelRetryTimer()
  }

  /** Re-arms the backoff timer (the app came back). */
  resume(): void {
    this.scheduleRetryTimer()
  }

  private isIdle(): boolean {
    return this.sending.size === 0 && this.running === undefined
  }

  private settleIdle(): void {
    if (!this.isIdle()) return
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private async runUntilSettled(): Promise<void> {
    try {
      do {
        this.again = false
        this.expire()
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
      this.tellIfDrained()
      this.settleIdle()
    }
  }

  /** `drained` means "what was waiting has been sent": never for an outbox that was empty all along. */
  private tellIfDrained(): void {
    if (this.deliveredWaiting === 0 || this.options.outbox.pendingCount > 0) return
    this.deliveredWaiting = 0
    this.options.events.emit('drained', {})
  }

  /**
   * One pass: workers take ready lanes until none is left. With a batch
   * endpoint, batches go first, and a worker sends on its own only the
   * entries a batch cannot carry (uploads, tasks, other origins), handing
   * back to batching as soon as its lane's head could travel in one.
   */
  private async runPass(): Promise<void> {
    for (;;) {
      if (!this.options.canSend()) return
      if (this.batcher && (await this.batcher.run(() => !this.stopped && this.options.canSend())) === 'stopAll') return
      const attempts = await this.runWorkers()
      if (!this.batcher?.enabled || attempts === 0) return
    }
  }

  /** Workers drain ready lanes, each lane once; returns how many attempts they made. */
  private async runWorkers(): Promise<number> {
    const visited = new Set<string>()
    let haltAll = false
    let attempts = 0
    const takeLane = (): string | undefined => {
      if (haltAll || this.stopped || !this.options.canSend()) return undefined
      const lane = this.options.outbox.laneIds().find((id) => !visited.has(id) && this.isReady(id))
      if (lane !== undefined) visited.add(lane)
      return lane
    }
    const worker = async (): Promise<void> => {
      for (let lane = takeLane(); lane !== undefined; lane = takeLane()) {
        const { step, sent } = await this.drainLane(lane)
        attempts += sent
        if (step === 'stopAll') haltAll = true
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, worker))
    return attempts
  }

  /** What the batch replayer may see and do of this engine. */
  private batchHost(batch: NonNullable<ReplayEngineOptions['batch']>): BatchHost {
    const { outbox, events } = this.options
    return {
      http: this.options.sender.http,
      events,
      readyLanes: () => outbox.laneIds().filter((lane) => this.isReady(lane)),
      lane: (laneId) => outbox.lane(laneId),
      isDue: (id) => this.schedule.isDue(id),
      isSending: (id) => this.sending.has(id),
      readForSending: (id) => this.readForSending(id),
      mayShareRequest: batch.mayShareRequest,
      batchHeaders: batch.headers,
      begin: (entries, abort) => this.beginAttempts(entries, abort),
      settle: (entry, outcome) => this.settleCatchingQuota(entry, outcome),
      refreshAuth: async () => {
        if (!this.options.authRefresher()) return false
        await this.settler.refreshAuth()
        return true
      },
    }
  }

  /** The entry to send next, or `undefined` when it is gone or a newer one of its dedupe group replaced it. */
  private readForSending(id: string): OutboxEntry | undefined {
    const entry = this.options.outbox.read(id)
    if (!entry || !this.options.outbox.isSuperseded(entry)) return entry
    this.options.outbox.remove(entry)
    this.options.events.emit('superseded', { entry })
    return undefined
  }

  /** Marks entries as being sent, each with an abort for `withdrawAll`. */
  private beginAttempts(entries: OutboxEntry[], abort: () => void): { stillCurrent: () => boolean; end: () => void } {
    const epoch = this.epoch
    for (const entry of entries) {
      this.sending.set(entry.id, abort)
      this.options.events.emit('sending', { entry, attempt: entry.attempts + 1 })
    }
    this.options.onChange()
    return {
      stillCurrent: () => epoch === this.epoch,
      end: () => {
        for (const entry of entries) this.sending.delete(entry.id)
        this.options.onChange()
        this.settleIdle()
      },
    }
  }

  private async settleCatchingQuota(entry: OutboxEntry, outcome: SendOutcome): Promise<LaneStep> {
    try {
      return (await this.settler.settle(entry, outcome, REPLAY)).step
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error
      return this.settler.cannotRecord(entry, error)
    }
  }

  private isReady(lane: string): boolean {
    const head = this.options.outbox.lane(lane)[0]
    if (!head || this.sending.has(head.id)) return false
    if (this.options.blockOnDeadLetter && this.options.outbox.hasDeadLetterIn(lane)) return false
    return this.schedule.isDue(head.id)
  }

  /**
   * Sends a lane's entries in order until it is empty or an attempt stops it
   * (or, with batching, until its head could travel in a batch).
   */
  private async drainLane(lane: string): Promise<{ step: LaneStep; sent: number }> {
    let sent = 0
    for (;;) {
      if (this.stopped || !this.options.canSend()) return { step: 'stopAll', sent }
      const head = this.options.outbox.lane(lane)[0]
      if (!head) return { step: 'next', sent }
      // A live send holds its lane's head; what queues behind it waits for it.
      if (this.sending.has(head.id) || !this.schedule.isDue(head.id)) return { step: 'stopLane', sent }
      if (this.batcher?.enabled && this.batcher.canCarry(head.id)) return { step: 'next', sent }
      const { step } = await this.attempt(head.id, REPLAY)
      sent += 1
      if (step !== 'next') return { step, sent }
    }
  }

  private async attempt(id: string, mode: AttemptMode): Promise<AttemptResult> {
    const entry = this.readForSending(id)
    if (!entry) return { step: 'next', live: { kind: 'withdrawn' } }
    let abort = (): void => undefined
    const attempt = this.beginAttempts([entry], () => abort())
    try {
      const outcome = await sendNextStep(entry, this.options.sender, {
        mayStillSend: attempt.stillCurrent,
        onTask: (task) => (abort = () => task.abort()),
      })
      if (!attempt.stillCurrent() || outcome.withdrawn) return { step: 'stopAll', live: { kind: 'withdrawn' } }
      return await this.settler.settle(entry, outcome, mode)
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error
      return { step: this.settler.cannotRecord(entry, error), live: { kind: 'waiting' } }
    } finally {
      attempt.end()
    }
  }

  /** Removes entries past retention, with an `expired` event each. */
  expire(): void {
    const { outbox, clock, retention, events } = this.options
    const now = clock.now()
    for (const located of outbox.all()) {
      if (this.sending.has(located.id) || !retention.isExpired(located.id, located.acceptedAt, now)) continue
      const entry = outbox.read(located.id)
      // Told before the removal: a crash in between tells it again at the next start, never not at all.
      if (entry) events.emit('expired', { entry })
      outbox.remove(located)
      this.schedule.forget(located.id)
      retention.forget(located.id)
    }
  }

  private scheduleRetryTimer(): void {
    this.cancelRetryTimer()
    const { outbox } = this.options
    const due = outbox
      .laneIds()
      .map((lane) => outbox.lane(lane)[0].id)
      .filter((id) => this.schedule.has(id))
      .map((id) => this.schedule.dueAt(id))
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
