/** Sleeps that `close()` can cut short, so a closing server never waits out its latency. */
export class Naps {
  private readonly sleepers = new Set<() => void>()

  /** Resolves after `ms`, or at once on {@link Naps.wakeAll}. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.sleepers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.sleepers.add(wake)
    })
  }

  /** Ends every sleep now. */
  wakeAll(): void {
    for (const wake of [...this.sleepers]) wake()
  }
}
