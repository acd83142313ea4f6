import type { Clock, TimerHandle } from '../platform/platform'

interface PendingTimer {
  id: number
  dueAt: number
  callback: () => void
  realTimer: ReturnType<typeof setTimeout>
}

/**
 * Real time plus an offset a test can move. Timers fire when their real delay
 * passes *or* when `advance()` moves time past them, so a test can wait out a
 * five-minute backoff or seven days of retention in an instant.
 */
export class VirtualClock implements Clock {
  private offset = 0
  private nextId = 1
  private readonly timers = new Map<number, PendingTimer>()

  now(): number {
    return Date.now() + this.offset
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++
    const delay = Math.max(0, ms)
    const realTimer = setTimeout(() => this.fire(id), delay)
    this.timers.set(id, { id, dueAt: this.now() + delay, callback, realTimer })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle as number)
    if (!timer) return
    clearTimeout(timer.realTimer)
    this.timers.delete(timer.id)
  }

  /** Moves time forward and fires, in due order, every timer that is now due. */
  advance(ms: number): void {
    this.offset += ms
    const due = [...this.timers.values()]
      .filter((timer) => timer.dueAt <= this.now())
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
    for (const timer of due) this.fire(timer.id)
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

  private fire(id: number): void {
    const timer = this.timers.get(id)
    if (!timer) return
    clearTimeout(timer.realTimer)
    this.timers.delete(id)
    timer.callback()
  }
}
