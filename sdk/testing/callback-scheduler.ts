import type { FaultInjector } from './fault-injector'

/**
 * Delivers runtime callbacks asynchronously, as `wx` always does, and drops
 * the ones that belong to a run that has ended: a killed app hears nothing,
 * and a restarted app never hears about calls its previous run made.
 */
export class CallbackScheduler {
  private generation = 0

  constructor(private readonly faults: FaultInjector) {
    faults.whenKilled(() => this.endRun())
  }

  /** Forgets every callback scheduled so far (kill, restart, dispose). */
  endRun(): void {
    this.generation += 1
  }

  /**
   * Runs `callback` now, if this run is alive: for outcomes that already
   * arrive on their own turn of the event loop (a network answer), where a
   * further hop would only add latency.
   */
  deliverNow(callback: () => void): void {
    if (this.faults.killed) return
    callback()
  }

  /** Runs `callback` on a later turn of the event loop, if this run is still alive then. */
  defer(callback: () => void): void {
    const scheduledIn = this.generation
    // A macrotask, like the runtime's callbacks; setTimeout rather than setImmediate so it also runs under jsdom.
    setTimeout(() => {
      if (scheduledIn !== this.generation || this.faults.killed) return
      callback()
    }, 0)
  }
}
