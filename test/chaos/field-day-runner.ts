import { randomBytes } from 'crypto'
import { QuotaExceededError, type RequestResult } from 'miniprogram-offline'
import { AppKilledError } from 'miniprogram-offline/testing'
import { BATCH_PATH, type TestServer } from '../support/test-server'
import {
  actionIds,
  describeOp,
  retentionMs,
  stepKinds,
  isReadOp,
  isUserAction,
  SKEWS,
  type FieldDay,
  type Skew,
  type UserAction,
  type WorldEvent,
} from './model'
import { noShapes, type ActionRecord, type Observation, type OpTrace, type PendingSnapshot, type ShapeCounts, type Snapshot, type WipeRecord } from './observation'
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
/** The most time that passes in one drain round: the SDK's backoff cap (5 min) plus a second. */
export const LONGEST_WAIT_MS = 5 * 60_000 + 1000
/** Pages open at once, at most (WeChat allows ten; a few are enough to share an engine). */
const MAX_PAGES = 4
/** Host-app values written to fill storage, largest first, in characters. */
const FILL_SIZES = [512 * 1024, 64 * 1024, 8 * 1024, 1024, 128, 16]


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
  readonly wipes: WipeRecord[] = []
  readonly shapes: ShapeCounts = noShapes()
  kills = 0
  drained = false
  longestDrainWaitMs = 0
  private token = 1
  /** Logouts so far: the provider sends it as `X-Logouts`, read at send time. */
  private logouts = 0
  private providerCalls = 0
  private killOnWireArmed = false
  /** Keys the host app wrote to fill storage. */
  private hostKeys: string[] = []

  constructor(
    readonly day: FieldDay,
    readonly server: TestServer,
  ) {
    const { options } = day
    server.setLatency(options.serverLatencyMs)
    this.script = new ServerScript(server, this.dayTag)
    this.ids = actionIds(day.ops)
    this.phone = new Phone(
      (user) => ({
        concurrency: options.concurrency,
        blockOnDeadLetter: options.blockOnDeadLetter,
        // Backoffs long enough that only the day's clock jumps end them, never real time: a day replays the same way.
        retry: { maxAttempts: options.maxAttempts, baseDelayMs: BASE_DELAY_MS },
        maxRetentionTime: options.retentionMinutes,
        maxStorageBytes: options.maxStorageBytes,
        maxFileBytes: options.maxFileBytes,
        batch: options.batch ? { url: `${server.url}${BATCH_PATH}` } : undefined,
        // The page's user's credentials, applied at send time: after a 401 the refreshed token goes out with the retry.
        headers: () => this.headersOf(user),
        onAuthExpired: options.refreshAuth ? () => void (this.token += 1) : undefined,
      }),
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
      arrivals: this.script.arrivals(),
      wipes: this.wipes,
      longestDrainWaitMs: this.longestDrainWaitMs,
      shapes: {
        ...this.shapes,
        pagesOpened: this.phone.pagesOpened - this.phone.instance,
        listenerThrows: this.phone.listenerThrows,
      },
    }
  }

  /**
   * The `headers` provider of a page opened by `user`: that user's token
   * (or, unless the day binds providers to pages, the session's user's),
   * and how many logouts the app has seen (read at send time, so the server
   * can tell a send made after a logout). It throws every
   * `headersThrowEvery` calls when the day says so.
   */
  private headersOf(user: number): Record<string, string> {
    this.providerCalls += 1
    const every = this.day.options.headersThrowEvery
    if (every !== undefined && this.providerCalls % every === 0) {
      this.shapes.providerThrows += 1
      throw new Error('the token store is not ready')
    }
    const whose = this.day.options.providerPerPage ? user : this.phone.user
    return { Authorization: `Bearer u${whose}.t${this.token}`, 'X-Logouts': String(this.logouts) }
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
    const record: ActionRecord = {
      id,
      tag,
      action,
      steps,
      order: this.actions.length + 1,
      outcome: 'killed',
      applicationsAtReturn: 0,
      user: this.phone.top.user,
      logoutsAtCall: this.logouts,
      logoutsAtReturn: this.logouts,
      rightTimeAtCall: this.phone.emu.clock.now() - this.phone.skew,
      skewedAtCall: this.phone.skew !== 0,
    }
    this.actions.push(record)
    if (record.skewedAtCall) this.shapes.actionsWithSkewedClock += 1
    if (this.killOnWireArmed) {
      this.killOnWireArmed = false
      this.script.duringNextApplication(
        () => {
          this.shapes.killsOnWire += 1
          this.phone.emu.faults.kill()
        },
        (application) => application.tag === tag,
      )
    }
    const outcome = await this.phone.guard(() => callSdk(this.phone, this.server.url, action, tag, photos))
    record.applicationsAtReturn = this.script.ledger.length
    record.logoutsAtReturn = this.logouts
    this.recordOutcome(record, outcome)
    if (record.outcome === 'refused' && this.hostKeys.length > 0) this.shapes.refusedWhileFull += 1
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
      case 'openPage':
        if (this.phone.pages.length >= MAX_PAGES) return
        this.phone.openPage()
        return this.expectSettled('a new page\'s ready', await this.phone.guard(() => this.phone.client.ready))
      case 'navigate':
        if (op.whileSending) return this.script.duringNextApplication(() => this.navigate(true))
        return this.navigate(false)
      case 'closePage':
        if (this.phone.closeTopPage()) this.shapes.pagesClosed += 1
        return
      case 'logout':
        if (op.whileSending) return this.script.duringNextApplication(() => this.logout(true))
        return this.logout(false)
      case 'killOnWire':
        this.killOnWireArmed = true
        return
      case 'skewClock':
        return this.setClock(op.to)
      case 'fixClock':
        if (this.phone.skew !== 0) emu.clock.jump(-this.phone.skew)
        this.phone.skew = 0
        return
      case 'wipeStorage':
        return this.wipe(op.thenShow)
      case 'fillStorage':
        return this.fill()
      case 'freeStorage':
        return this.free()
      case 'throwingListeners':
        return this.phone.addThrowingListeners()
    }
  }

  /**
   * Runs page code (closing and opening clients, a logout): the app may die
   * at one of its writes, which ends it; anything else it throws is a problem.
   */
  private pageCode(what: string, code: () => void): void {
    if (!this.phone.alive) return
    try {
      code()
    } catch (error) {
      if (this.phone.alive) this.problems.push(`${what} threw ${errorText(error)}`)
    }
  }

  /** The page on top closes and a new page opens right after (both in one turn, as a redirect does). */
  private navigate(whileSending: boolean): void {
    this.pageCode('navigating', () => {
      this.phone.closeTopPage(false)
      this.shapes.pagesClosed += 1
      if (whileSending) this.shapes.pagesClosedWhileSending += 1
      this.phone.openPage()
    })
  }

  /**
   * Logout: `clear()`, then every page closes and the next user's page opens,
   * with that user's provider. Killed during `clear()`, the logout never
   * happened (the session is still the user's, who logs out again later):
   * what it removed counts as discarded by the user.
   */
  private logout(whileSending: boolean): void {
    const logoutsBefore = this.logouts
    this.pageCode('logging out', () => {
      // Counted first: any send the provider is asked for from now on is after the logout.
      this.logouts += 1
      try {
        this.phone.client.clear()
      } catch (error) {
        if (this.phone.alive) throw error
        this.logouts = logoutsBefore
        for (const action of this.actions) this.discarded.add(action.tag)
        return
      }
      this.shapes.logouts += 1
      if (whileSending) this.shapes.logoutsWhileSending += 1
      this.phone.user += 1
      this.phone.closeAllPages()
      this.phone.openPage()
    })
  }

  /** The phone's clock is set wrong: only the wall time moves (`jump`), timers do not. */
  private setClock(to: Skew): void {
    const { clock } = this.phone.emu
    const target = SKEWS[to]
    const jump = target === undefined ? Date.UTC(1970, 0, 2) - clock.now() : target - this.phone.skew
    if (this.phone.alive && this.phone.client.status.get().nextRetryAt !== undefined) this.shapes.skewsDuringBackoff += 1
    clock.jump(jump)
    this.phone.skew += jump
    this.shapes.skews += 1
  }

  /** Runs what the host app does to storage; the app may die at one of its writes (an armed kill counts them too). */
  private hostApp(write: () => void): boolean {
    try {
      write()
      return true
    } catch (error) {
      if (error instanceof AppKilledError || !this.phone.alive) return false
      throw error
    }
  }

  /** The host app calls `wx.clearStorageSync()`; with `thenShow`, the app goes to the background and back. */
  private wipe(thenShow: boolean): void {
    const { phone } = this
    if (!phone.alive) return
    const entries = phone.client.pending().map((item) => ({ entryId: item.id, tag: typeof item.metadata?.action === 'string' ? item.metadata.action : undefined }))
    this.wipes.push({ instance: phone.instance, eventsBefore: phone.events.length, entries })
    this.shapes.wipes += 1
    if (!this.hostApp(() => phone.emu.wx.clearStorageSync())) return
    this.hostKeys = []
    this.readSide.forgetCached()
    this.readSide.deviceFull = false
    if (thenShow && phone.emu.isVisible) {
      phone.emu.hide()
      phone.emu.show()
    }
  }

  /** The host app writes its own keys until storage refuses, from big values down to small ones. */
  private fill(): void {
    const { phone } = this
    if (!phone.alive) return
    this.shapes.fills += 1
    // The SDK may evict cached reads to make room for the user's writes.
    this.readSide.forgetCached()
    this.readSide.deviceFull = true
    for (const size of FILL_SIZES) {
      const value = 'x'.repeat(size)
      for (;;) {
        const key = `host/fill/${this.hostKeys.length}`
        let full = false
        const alive = this.hostApp(() => {
          try {
            phone.emu.wx.setStorageSync(key, value)
            this.hostKeys.push(key)
          } catch (error) {
            if (error instanceof AppKilledError) throw error
            full = true
          }
        })
        if (!alive) return
        if (full) break
      }
    }
  }

  /** The host app removes the keys it wrote. */
  private free(): void {
    const { phone } = this
    if (!phone.alive) return
    while (this.hostKeys.length > 0) {
      const key = this.hostKeys[this.hostKeys.length - 1]
      if (!this.hostApp(() => phone.emu.wx.removeStorageSync(key))) return
      this.hostKeys.pop()
    }
    this.readSide.deviceFull = false
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

  /** Starts the app again; `createOffline` throwing there is a problem (the app could not start). */
  private coldStart(where: string): boolean {
    try {
      this.phone.coldStart()
      return true
    } catch (error) {
      this.problems.push(`${where}: createOffline threw ${errorText(error)}`)
      return false
    }
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
      if (!this.coldStart(`${where}, cold start`)) return false
      await this.startUp(`${where}, cold start`)
    }
    return attempt > 0
  }

  /** Whether this start of the app had its storage wiped and has not said so (`storageLost`) yet. */
  private wipeUnnoticed(): boolean {
    const wipe = this.wipes[this.wipes.length - 1]
    if (!wipe || wipe.instance !== this.phone.instance) return false
    return !this.phone.events.slice(wipe.eventsBefore).some((event) => event.name === 'storageLost' && event.instance === wipe.instance)
  }

  /** Records what a live, settled app shows. */
  private async checkpoint(where: string, afterColdStart = false): Promise<void> {
    if (!this.phone.alive || this.phone.pages.length === 0) return
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
        wipes: this.wipes.length,
        wipeUnnoticed: this.wipeUnnoticed(),
      })
    } catch (error) {
      this.problems.push(`${where}: reading the app's state threw ${errorText(error)}`)
    }
  }

  /**
   * Evening on good wifi, in the app as the day left it (a cold start would
   * forget backoffs a wrong clock may have stretched): the host app frees
   * its keys, the app is in the foreground; time passes to each backoff's
   * end, never more than the backoff cap at once, until every lane free to
   * move is empty. An entry still waiting after {@link MAX_DRAIN_ROUNDS}
   * rounds is stuck (the day did not drain). Then one cold start, whose
   * open-time cleanup the final state includes.
   */
  private async drain(): Promise<void> {
    this.script.clearHooks()
    this.killOnWireArmed = false
    const { phone } = this
    // An armed kill may still hit one of these writes: the user opens the app again, and the host app goes on.
    for (let attempt = 0; attempt <= MAX_RESTARTS_IN_A_ROW && (this.hostKeys.length > 0 || !phone.alive); attempt++) {
      this.free()
      await this.reviveIfDead('the evening start')
    }
    if (!phone.emu.isVisible) phone.emu.show()
    phone.emu.setOnline(true)
    phone.emu.setReachable(true)
    for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
      if (!(await this.settle())) this.problems.push(`drain round ${round}: the phone never settled`)
      if (this.problems.length > 0) return
      await this.reviveIfDead(`drain round ${round}`)
      if (phone.alive && !phone.emu.isVisible) phone.emu.show()
      const items = phone.client.pending()
      const blocked = (lane: string): boolean => this.day.options.blockOnDeadLetter && items.some((item) => item.state === 'deadLetter' && item.lane === lane)
      if (!items.some((item) => item.state === 'pending' && !blocked(item.lane))) {
        this.drained = true
        break
      }
      const next = phone.client.status.get().nextRetryAt
      const now = phone.emu.clock.now()
      if (next !== undefined && next > now) {
        // Time passes up to the backoff cap at a time: an entry whose wait a wrong clock stretched beyond it is stuck, and the rounds run out.
        this.longestDrainWaitMs = Math.max(this.longestDrainWaitMs, next - now)
        phone.emu.clock.advance(Math.min(next - now + 1, LONGEST_WAIT_MS))
      } else this.expectSettled('flush() while draining', await phone.guard(() => phone.client.flush()))
    }
    await this.settle()
    await this.checkpoint('after the drain')
    if (!this.coldStart('the last start')) return
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

