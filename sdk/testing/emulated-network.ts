import type { Clock, TimerHandle } from '../platform/platform'
import type { RuntimeFailure, RuntimeTask } from '../platform/runtime'
import type { CallbackScheduler } from './callback-scheduler'
import { AppKilledError, type FaultInjector } from './fault-injector'
import { EmulatedFileError } from './file-errors'
import { ConnectionPool, sendHttp, type HttpAnswer, type HttpExchange, type HttpOutcome, type TransportHandle } from './http-transport'

/** The network APIs that share the concurrency limit. */
export type NetworkApi = 'request' | 'uploadFile' | 'downloadFile'

/**
 * `errno` values the emulator attaches to transport failures. WeChat's
 * public errno table is not fully documented for these: treat them as
 * plausible, and key on `errMsg` in the SDK.
 */
export const NetworkErrno = {
  timeout: 5,
  networkError: 600001,
  interrupted: 600003,
} as const

/** Why a call failed without an HTTP answer, as `fail({ errMsg, errno })` receives it. */
export class NetworkFailure extends Error {
  constructor(
    readonly errMsg: string,
    readonly errno?: number,
  ) {
    super(errMsg)
    this.name = 'NetworkFailure'
  }
}

/** Live numbers tests use to prove the concurrency limit and lifecycle rules. */
export interface NetworkStats {
  /** Calls holding a connection now. */
  readonly inFlight: number
  /** Calls waiting for a free slot. */
  readonly queued: number
  /** Most calls ever in flight at once (since creation or {@link EmulatedNetwork.resetStats}). */
  readonly maxInFlightSeen: number
  /** Calls that got a slot and reached the wire. */
  readonly started: number
  /** True once the app has been in the background long enough to be suspended. */
  readonly suspended: boolean
  /** False after `setReachable(false)`: connected, but nothing gets through. */
  readonly reachable: boolean
}

/** How one API turns options into an exchange and an answer into its success payload. */
export interface NetworkCallSpec<T> {
  api: NetworkApi
  /** Milliseconds from getting a slot; the runtime's default is 60000. */
  timeoutMs: number
  /** Runs when the call gets a slot; throw a {@link NetworkFailure} to fail without sending. */
  prepare(): HttpExchange
  /** Runs on the answer (any status); may write files, may throw to fail. */
  finish(answer: HttpAnswer): T
  success?: (result: T) => void
  fail?: (failure: RuntimeFailure) => void
}

/** The type-erased view of a spec the scheduler keeps. */
interface CallHandlers {
  api: NetworkApi
  timeoutMs: number
  prepare(): HttpExchange
  accept(answer: HttpAnswer): () => void
  reject(failure: RuntimeFailure): () => void
}

type CallState = 'queued' | 'running' | 'done'

class NetworkCall implements RuntimeTask {
  state: CallState = 'queued'
  transport: TransportHandle | undefined
  timer: TimerHandle | undefined

  constructor(
    readonly handlers: CallHandlers,
    private readonly network: EmulatedNetwork,
  ) {}

  /** The task's `abort()`: fails the call with `<api>:fail abort` unless it already ended. */
  abort(): void {
    this.network.abort(this)
  }
}

type Settlement = { failure: RuntimeFailure } | { deliver: () => void }

function failure(api: NetworkApi, reason: string, errno?: number): RuntimeFailure {
  return errno === undefined ? { errMsg: `${api}:fail ${reason}` } : { errMsg: `${api}:fail ${reason}`, errno }
}

function toFailure(api: NetworkApi, error: unknown): RuntimeFailure {
  if (error instanceof NetworkFailure) {
    return error.errno === undefined ? { errMsg: error.errMsg } : { errMsg: error.errMsg, errno: error.errno }
  }
  if (error instanceof EmulatedFileError) return { errMsg: error.errMsg, errCode: error.errCode }
  return failure(api, error instanceof Error ? error.message : String(error))
}

/**
 * The phone's network stack as the app sees it: at most `maxConcurrent`
 * calls in flight across request, uploadFile and downloadFile (the rest wait
 * in FIFO order), real HTTP underneath, and the transport failures WeChat
 * reports: offline, unreachable, timeout (on the emulator clock), abort,
 * `interrupted` once suspended in the background. A killed app's calls are
 * dropped without a word.
 */
export class EmulatedNetwork implements NetworkStats {
  private readonly waiting: NetworkCall[] = []
  private readonly running = new Set<NetworkCall>()
  private peak = 0
  private startedCount = 0
  private isSuspended = false
  private isReachable = true
  private pumping = false
  private readonly connections = new ConnectionPool()

  constructor(
    private readonly faults: FaultInjector,
    private readonly clock: Clock,
    private readonly callbacks: CallbackScheduler,
    private readonly isOnline: () => boolean,
    /** Shared limit of calls in flight; WeChat's is 10. */
    readonly maxConcurrent = 10,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError(`emulator: maxConcurrentRequests must be a positive integer, got ${maxConcurrent}`)
    }
    faults.whenKilled(() => this.dropAll())
  }

  get inFlight(): number {
    return this.running.size
  }

  get queued(): number {
    return this.waiting.length
  }

  get maxInFlightSeen(): number {
    return this.peak
  }

  get started(): number {
    return this.startedCount
  }

  get suspended(): boolean {
    return this.isSuspended
  }

  get reachable(): boolean {
    return this.isReachable
  }

  /** Starts counting `maxInFlightSeen` and `started` afresh. */
  resetStats(): void {
    this.peak = this.running.size
    this.startedCount = 0
  }

  /** Queues a call and returns its task. Throws `AppKilledError` if the app is dead. */
  submit<T>(spec: NetworkCallSpec<T>): RuntimeTask {
    this.faults.assertAlive()
    const call = new NetworkCall(
      {
        api: spec.api,
        timeoutMs: spec.timeoutMs,
        prepare: () => spec.prepare(),
        accept: (answer) => {
          const result = spec.finish(answer)
          return () => spec.success?.(result)
        },
        reject: (reason) => () => spec.fail?.(reason),
      },
      this,
    )
    const blocked = this.blockedReason(spec.api)
    if (blocked) this.settle(call, { failure: blocked })
    else {
      this.waiting.push(call)
      this.pump()
    }
    return call
  }

  /** A task's `abort()`. */
  abort(call: NetworkCall): void {
    this.faults.assertAlive()
    this.settle(call, { failure: failure(call.handlers.api, 'abort') })
  }

  /** The app has been in the background too long: everything running or waiting fails `interrupted`. */
  suspend(): void {
    this.isSuspended = true
    this.failAll((api) => failure(api, 'interrupted', NetworkErrno.interrupted))
  }

  /** Back in the foreground: calls work again. */
  resume(): void {
    this.isSuspended = false
  }

  /** The connection dropped: calls in flight or waiting fail as a phone's would. */
  disconnect(): void {
    this.failAll((api) => failure(api, 'net::ERR_INTERNET_DISCONNECTED', NetworkErrno.networkError))
    this.connections.closeAll()
  }

  /** Connected but not reachable (captive portal, dead uplink): new calls time out at once. */
  setReachable(reachable: boolean): void {
    this.isReachable = reachable
  }

  /** A cold start: every call is dropped silently and suspension ends (reachability is the world's: it stays). */
  reset(): void {
    this.dropAll()
    this.isSuspended = false
  }

  /** Drops every call without any callback, and every open connection (the app is dead or gone). */
  dropAll(): void {
    for (const call of [...this.running, ...this.waiting]) this.release(call)
    this.connections.closeAll()
  }

  private blockedReason(api: NetworkApi): RuntimeFailure | undefined {
    if (this.isSuspended) return failure(api, 'interrupted', NetworkErrno.interrupted)
    if (!this.isOnline()) return failure(api, 'net::ERR_INTERNET_DISCONNECTED', NetworkErrno.networkError)
    return undefined
  }

  /** Starts waiting calls while slots are free. Re-entrant calls are folded into the running loop. */
  private pump(): void {
    if (this.pumping) return
    this.pumping = true
    try {
      while (this.running.size < this.maxConcurrent && this.waiting.length > 0) {
        this.start(this.waiting.shift() as NetworkCall)
      }
    } finally {
      this.pumping = false
    }
  }

  private start(call: NetworkCall): void {
    const { api } = call.handlers
    const blocked =
      this.blockedReason(api) ?? (this.isReachable ? undefined : failure(api, 'timeout', NetworkErrno.timeout))
    if (blocked) return this.settle(call, { failure: blocked })
    let exchange: HttpExchange
    try {
      exchange = call.handlers.prepare()
    } catch (error) {
      return this.settle(call, { failure: toFailure(api, error) })
    }
    call.state = 'running'
    this.running.add(call)
    this.peak = Math.max(this.peak, this.running.size)
    this.startedCount += 1
    call.timer = this.clock.setTimeout(
      () => this.settle(call, { failure: failure(api, 'timeout', NetworkErrno.timeout) }),
      call.handlers.timeoutMs,
    )
    call.transport = sendHttp(exchange, this.connections, (outcome) => this.onOutcome(call, outcome))
  }

  private onOutcome(call: NetworkCall, outcome: HttpOutcome): void {
    if (call.state !== 'running') return
    const { api } = call.handlers
    if ('error' in outcome) return this.settle(call, { failure: failure(api, outcome.error, NetworkErrno.networkError) })
    let deliver: () => void
    try {
      deliver = call.handlers.accept(outcome.answer)
    } catch (error) {
      // Killed while storing the answer (a download's file write): the app is gone, say nothing.
      if (error instanceof AppKilledError || this.faults.killed) return
      return this.settle(call, { failure: toFailure(api, error) })
    }
    this.settle(call, { deliver }, 'now')
  }

  /**
   * Ends a call once: frees its slot, lets the next call start, and runs its
   * one callback: on a later turn, or `'now'` when the outcome already came
   * on a turn of its own (an answer off the socket), saving a timer hop.
   */
  private settle(call: NetworkCall, settlement: Settlement, when: 'now' | 'later' = 'later'): void {
    if (call.state === 'done') return
    const heldSlot = call.state === 'running'
    this.release(call)
    if (heldSlot) this.pump()
    const callback = 'deliver' in settlement ? settlement.deliver : call.handlers.reject(settlement.failure)
    if (when === 'now') this.callbacks.deliverNow(callback)
    else this.callbacks.defer(callback)
  }

  private release(call: NetworkCall): void {
    call.state = 'done'
    if (call.timer !== undefined) this.clock.clearTimeout(call.timer)
    call.transport?.destroy()
    this.running.delete(call)
    const index = this.waiting.indexOf(call)
    if (index >= 0) this.waiting.splice(index, 1)
  }

  private failAll(reasonFor: (api: NetworkApi) => RuntimeFailure): void {
    const calls = [...this.running, ...this.waiting]
    // Hold the pump so a freed slot does not start a call this loop is about to fail.
    const wasPumping = this.pumping
    this.pumping = true
    try {
      for (const call of calls) this.settle(call, { failure: reasonFor(call.handlers.api) })
    } finally {
      this.pumping = wasPumping
    }
    this.pump()
  }
}
