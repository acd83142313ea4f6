import type { Clock, TimerHandle } from '../platform/platform'

interface PendingTimer {
  id: number
  /** On the elapsed-time axis, which wall-clock jumps never move. */
  dueAt: number
  callback: () => void
  realTimer: ReturnType<typeof setTimeout>
}

/**
 * Real time plus offsets a test can move, with a phone's two notions of time:
 *
 * - **elapsed time** drives timers, as on a real phone, where a timer counts
 *   time that passed, whatever the clock in the settings says;
 * - **wall time** is what {@link now} reports (`Date.now()` on the phone).
 *
 * {@link advance} is time passing: both move, and timers now due fire in
 * order, so a test can wait out a five-minute backoff or seven days of
 * retention in an instant. {@link jump} is the user (or the network) setting
 * the phone's clock: only the wall time moves, and no timer fires or shifts.
 */
export class VirtualClock implements Clock {
  /** Added to `Date.now()` for the wall time: advances plus jumps. */
  private wallOffset = 0
  /** Added to `Date.now()` for elapsed time: advances only. */
  private elapsedOffset = 0
  private nextId = 1
  private readonly timers = new Map<number, PendingTimer>()

  /** The phone's wall clock, in milliseconds since the epoch. */
  now(): number {
    return Date.now() + this.wallOffset
  }

  /** Runs `callback` once `ms` of elapsed time has passed (really, or through {@link advance}). */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++
    const delay = Math.max(0, ms)
    const realTimer = setTimeout(() => this.fire(id), delay)
    this.timers.set(id, { id, dueAt: this.elapsed() + delay, callback, realTimer })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle as number)
    if (!timer) return
    clearTimeout(timer.realTimer)
    this.timers.delete(timer.id)
  }

  /**
   * Time passes: moves the wall clock and elapsed time forward by `ms`, and
   * fires, in due order, every timer that is now due.
   *
   * @throws RangeError for a negative or non-finite `ms` (time does not run backwards; see {@link jump}).
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`emulator: advance(ms) needs a finite ms >= 0, got ${ms}; use jump() to set the clock back`)
    this.wallOffset += ms
    this.elapsedOffset += ms
    const now = this.elapsed()
    const due = [...this.timers.values()].filter((timer) => timer.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
    for (const timer of due) this.fire(timer.id)
  }

  /**
   * The phone's clock is set: moves the wall clock (what {@link now}
   * returns) by `ms`, negative to set it back, without firing or moving any
   * timer, since timers run on elapsed time.
   *
   * @throws RangeError for a non-finite `ms`.
   */
  jump(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`emulator: jump(ms) needs a finite ms, got ${ms}`)
    this.wallOffset += ms
  }

  /** Timers still waiting. */
  get pendingTimers(): number {
    return this.timers.size
  }

  /** Cancels every timer (a killed or restarted app keeps none). */
  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer.realTimer)
    this.timers.clear()
  }

  private elapsed(): number {
    return Date.now() + this.elapsedOffset
  }

  private fire(id: number): void {
    const timer = this.timers.get(id)
    if (!timer) return
    clearTimeout(timer.realTimer)
    this.timers.delete(id)
    timer.callback()
  }
}
