import { randomBytes } from 'crypto'
import type { RequestResult } from '../../sdk/client/offline-client'
import { QuotaExceededError } from '../../sdk/errors'
import type { TestServer } from '../support/test-server'
import { actionIds, describeOp, retentionMs, stepKinds, isReadOp, isUserAction, type FieldDay, type UserAction, type WorldEvent } from './model'
import type { ActionRecord, Observation, OpTrace, PendingSnapshot, Snapshot } from './observation'
import { NAMESPACE, Phone, type CallOutcome } from './phone'
import { ReadSide } from './read-side'
import { ServerScript } from './server-script'
import { callSdk } from './user-actions'
import { mulberry32 } from '../../demo-server/faults'

/**
 * Plays a field day through the real SDK on the emulator against the
 * loopback server, one operation at a time (each settles before the next, so
 * a day replays the same way when fast-check shrinks it), restarting the app
 * whenever it died; then drains the outbox the way a user on good wifi would
 * and records everything the invariants need.
 */

/** Sends the day's unhandled rejections to `sink` until the returned function is called (see rejection-watch.ts). */
export type RejectionRouter = (sink: (reason: unknown) => void) => () => void

let dayCounter = 0
/** Backoff base: 30 s of emulator time, far beyond a day's few hundred real milliseconds. */
const BASE_DELAY_MS = 30_000
const MAX_DRAIN_ROUNDS = 120
const MAX_RESTARTS_IN_A_ROW = 10

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

class DayRun {
  readonly dayTag = `d${++dayCounter}`
  readonly script: ServerScript
  readonly phone: Phone
  readonly actions: ActionRecord[] = []
  readonly deadLetterSightings = new Set<string>()
  readonly discarded = new Set<string>()
  readonly snapshots: Snapshot[] = []
  readonly problems: string[] = []
  readonly trace: OpTrace[] = []
  readonly ids: Map<number, string>
  readonly readSide: ReadSide
  kills = 0
  drained = false
  private token = 1

  constructor(
    readonly day: FieldDay,
    readonly server: TestServer,
  ) {
    const { options } = day
    server.setLatency(options.serverLatencyMs)
    this.script = new ServerScript(server, this.dayTag)
    this.ids = actionIds(day.ops)
    this.phone = new Phone(
      {
        concurrency: options.concurrency,
        blockOnDeadLetter: options.blockOnDeadLetter,
        // Backoffs long enough that only the day's clock jumps end them, never real time: a day replays the same way.
        retry: { maxAttempts: options.maxAttempts, baseDelayMs: BASE_DELAY_MS },
        maxRetentionTime: options.retentionMinutes,
        maxStorageBytes: options.maxStorageBytes,
        maxFileBytes: options.maxFileBytes,
        // Applied at send time: after a 401 the refreshed token goes out with the retry.
        headers: () => ({ Authorization: `Bearer t${this.token}` }),
        onAuthExpired: options.refreshAuth ? () => void (this.token += 1) : undefined,
      },
      options.startOnline,
    )
    this.readSide = new ReadSide(this.phone, this.script.reads, (problem) => this.problems.push(problem))
  }

  async play(): Promise<void> {
    await this.startUp('the first start')
    for (const [index, op] of this.day.ops.entries()) {
      // A hung call or an unexpected error already fails the day: stop, so shrinking a failure stays quick.
      if (this.problems.length > 0) return
      const text = `op ${index + 1} (${this.ids.get(index) ?? ''}${this.ids.has(index) ? ': ' : ''}${describeOp(op)})`
      const writesBefore = this.phone.emu.faults.writes
      try {
        if (isUserAction(op)) await this.act(index, op)
        else if (isReadOp(op)) await this.readSide.run(op)
        else await this.world(op)
      } catch (error) {
        this.problems.push(`${text} threw in the harness: ${errorText(error)}`)
      }
      if (!(await this.settle())) this.problems.push(`${text}: the phone never settled`)
      this.trace.push({ index, text, writesBefore, writesAfter: this.phone.emu.faults.writes, killed: !this.phone.alive })
      const coldStarted = await this.reviveIfDead(`after ${text}`)
      await this.checkpoint(`after ${text}`, coldStarted)
    }
    if (this.problems.length === 0) await this.drain()
  }

  observe(): Observation {
    return {
      day: this.day,
      dayTag: this.dayTag,
      actions: this.actions,
      ledger: this.script.ledger,
      requestsWithoutKey: this.script.requestsWithoutKey(),
      events: this.phone.events,
      deadLetterSightings: this.deadLetterSightings,
      discarded: this.discarded,
      readBodiesGiven: this.script.reads.given,
      readCounts: { networkReads: this.readSide.networkReads, manifestUpdates: this.readSide.manifestUpdates },
      snapshots: this.snapshots,
      drained: this.drained,
      problems: this.problems,
      trace: this.trace,
      starts: this.phone.instance,
      kills: this.kills,
    }
  }

  async dispose(): Promise<void> {
    this.script.clearHooks()
    this.phone.dispose()
    // Let the server finish what the dead phone sent, so it cannot bleed into the next day.
    const deadline = Date.now() + 2000
    while (this.server.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2))
  }

  // ----- user actions -----

  private async act(index: number, action: UserAction): Promise<void> {
    const id = this.ids.get(index) as string
    const tag = `${this.dayTag}.${id}`
    const steps = stepKinds(action)
    const photos = new Map<number, Buffer>()
    const sizes = action.kind === 'upload' ? [action.photoBytes] : action.kind === 'task' ? action.photos : []
    sizes.forEach((bytes, step) => photos.set(step, randomBytes(bytes)))
    this.script.plan({ tag, steps, answers: action.answers, photos })
    const record: ActionRecord = { id, tag, action, steps, order: this.actions.length + 1, outcome: 'killed', applicationsAtReturn: 0 }
    this.actions.push(record)
    const outcome = await this.phone.guard(() => callSdk(this.phone, this.server.url, action, tag, photos))
    record.applicationsAtReturn = this.script.ledger.length
    this.recordOutcome(record, outcome)
  }

  private recordOutcome(record: ActionRecord, outcome: CallOutcome<RequestResult>): void {
    if (outcome.kind === 'resolved') {
      record.outcome = outcome.value.status
      record.entryId = outcome.value.id
      if (outcome.value.status === 'deadLettered') this.deadLetterSightings.add(record.tag)
    } else if (outcome.kind === 'threw') {
      record.error = errorText(outcome.error)
      record.outcome = outcome.error instanceof QuotaExceededError ? 'refused' : 'failed'
      if (record.outcome === 'failed') this.problems.push(`${record.id}: the SDK call threw ${record.error}`)
    } else {
      record.outcome = outcome.kind
      if (outcome.kind === 'hung') {
        this.problems.push(`${record.id}: the SDK call neither resolved nor threw (hung), the app alive`)
        // The app is stuck on it; the user kills it.
        this.phone.emu.faults.kill()
      }
    }
  }

  // ----- the world -----

  private async world(op: WorldEvent): Promise<void> {
    const { emu } = this.phone
    switch (op.kind) {
      case 'online':
        return emu.setOnline(true)
      case 'offline':
        return emu.setOnline(false)
      case 'unreachable':
        return emu.setReachable(false)
      case 'reachable':
        return emu.setReachable(true)
      case 'hide':
        return emu.isVisible ? emu.hide() : undefined
      case 'show':
        return emu.isVisible ? undefined : emu.show()
      case 'killAtWrite':
        return emu.faults.killAtWrite(op.nth)
      case 'kill':
        return emu.faults.kill()
      case 'killDuringNextRequest':
        return this.script.duringNextApplication(() => emu.faults.kill())
      case 'offlineDuringNextRequest':
        return this.script.duringNextApplication(() => emu.setOnline(false))
      case 'dropConnections':
        return this.server.dropNextConnections(op.count, op.mode)
      case 'clock':
        return emu.clock.advance(op.ms)
      case 'pastRetention':
        return emu.clock.advance(retentionMs(this.day.options) + 60_000)
      case 'flush':
        return this.expectSettled('flush()', await this.phone.guard(() => this.phone.client.flush()))
      case 'retryDeadLetters':
        for (const item of this.phone.client.pending().filter((each) => each.state === 'deadLetter')) {
          this.expectSettled(`retry(${item.id})`, await this.phone.guard(() => this.phone.client.retry(item.id)))
          if (!this.phone.alive) return
        }
        return
      case 'discardDeadLetter': {
        const dead = this.phone.client.pending().find((each) => each.state === 'deadLetter')
        if (!dead) return
        const tag = dead.metadata?.action
        if (typeof tag === 'string') this.discarded.add(tag)
        return this.expectSettled(`discard(${dead.id})`, await this.phone.guard(async () => this.phone.client.discard(dead.id)))
      }
    }
  }

  private expectSettled(what: string, outcome: CallOutcome<unknown>): void {
    if (outcome.kind === 'threw') this.problems.push(`${what} threw ${errorText(outcome.error)}`)
    if (outcome.kind === 'hung') {
      this.problems.push(`${what} never settled, the app alive`)
      this.phone.emu.faults.kill()
    }
  }

  // ----- starts, settling, checkpoints -----

  private settle(): Promise<boolean> {
    return this.phone.settle(() => this.server.inFlight)
  }

  /** Waits for `ready` of the app just started; a death during it is handled by the caller. */
  private async startUp(where: string): Promise<void> {
    const ready = await this.phone.guard(() => this.phone.client.ready)
    if (ready.kind === 'threw') this.problems.push(`${where}: ready rejected with ${errorText(ready.error)}`)
    if (ready.kind === 'hung') this.problems.push(`${where}: ready never settled`)
    if (!(await this.settle())) this.problems.push(`${where}: the phone never settled after starting`)
  }

  /** The app died: the user opens it again (it may die again while starting). Returns whether it was started again. */
  private async reviveIfDead(where: string): Promise<boolean> {
    let attempt = 0
    for (; !this.phone.alive; attempt++) {
      if (attempt === MAX_RESTARTS_IN_A_ROW) {
        this.problems.push(`${where}: the app died at every start`)
        return false
      }
      this.kills += 1
      this.phone.coldStart()
      await this.startUp(`${where}, cold start`)
    }
    return attempt > 0
  }

  /** Records what a live, settled app shows. */
  private async checkpoint(where: string, afterColdStart = false): Promise<void> {
    if (!this.phone.alive) return
    try {
      const { client, emu } = this.phone
      const pending = client.pending().map(
        (item): PendingSnapshot => ({
          entryId: item.id,
          tag: typeof item.metadata?.action === 'string' ? item.metadata.action : undefined,
          state: item.state,
          lane: item.lane,
          done: item.progress.done,
          total: item.progress.total,
        }),
      )
      for (const item of pending) if (item.state === 'deadLetter' && item.tag) this.deadLetterSightings.add(item.tag)
      const status = client.status.get()
      const reads = await this.readSide.snapshot()
      if (!this.phone.alive) return
      this.snapshots.push({
        where,
        pending,
        status: { pending: status.pending, deadLetters: status.deadLetters },
        files: await this.phone.keptFiles(),
        usage: client.usage(),
        storageBytesInStorage: this.phone.storageBytesUnder(`mpo/${NAMESPACE}/`),
        userFileBytes: emu.files.usedBytes,
        afterColdStart,
        reads,
      })
    } catch (error) {
      this.problems.push(`${where}: reading the app's state threw ${errorText(error)}`)
    }
  }

  /**
   * Evening on good wifi: the user opens the app, it replays; the clock is
   * moved to each backoff's end until every lane free to move is empty. Then
   * one more cold start, whose open-time cleanup the final state includes.
   */
  private async drain(): Promise<void> {
    this.script.clearHooks()
    const { phone } = this
    phone.coldStart()
    await this.startUp('the evening start')
    phone.emu.setOnline(true)
    phone.emu.setReachable(true)
    for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
      if (!(await this.settle())) this.problems.push(`drain round ${round}: the phone never settled`)
      if (this.problems.length > 0) return
      await this.reviveIfDead(`drain round ${round}`)
      const items = phone.client.pending()
      const blocked = (lane: string): boolean => this.day.options.blockOnDeadLetter && items.some((item) => item.state === 'deadLetter' && item.lane === lane)
      if (!items.some((item) => item.state === 'pending' && !blocked(item.lane))) {
        this.drained = true
        break
      }
      const next = phone.client.status.get().nextRetryAt
      const now = phone.emu.clock.now()
      if (next !== undefined && next > now) phone.emu.clock.advance(next - now + 1)
      else this.expectSettled('flush() while draining', await phone.guard(() => phone.client.flush()))
    }
    await this.settle()
    await this.checkpoint('after the drain')
    phone.coldStart()
    await this.startUp('the last start')
    await this.checkpoint('after a last cold start', true)
  }
}

/**
 * Plays `day` and returns what happened; never throws for what the SDK did
 * (that is in the observation). An unhandled rejection that is not the
 * emulator's kill is an SDK bug the app would see too: it becomes a problem.
 */
export async function runFieldDay(day: FieldDay, server: TestServer, routeRejections?: RejectionRouter): Promise<Observation> {
  // The SDK takes its backoff jitter from Math.random: seeded per day, so a shrunk day jitters as it did.
  const unseeded = Math.random
  Math.random = mulberry32(day.ops.length)
  const run = new DayRun(day, server)
  const stopRouting = routeRejections?.((reason) => run.problems.push(`unhandled rejection: ${errorText(reason)}`))
  try {
    await run.play()
    return run.observe()
  } finally {
    await run.dispose()
    stopRouting?.()
    Math.random = unseeded
  }
}

