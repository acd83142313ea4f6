import { AppKilledError } from './fault-injector'

/**
 * One run of the emulated app, from a (cold) start to the next `restart()`.
 * A new process gets a new `wx`: objects handed out in a run stop working
 * when it ends, so code that outlived its app (a timer, a pending promise,
 * a test holding the old `emu.wx`) fails the way a killed app's code does,
 * instead of writing into the next run's storage.
 */
export class AppRun {
  private ended = false

  /** The run is over: every object bound to it throws from now on. */
  end(): void {
    this.ended = true
  }

  get isCurrent(): boolean {
    return !this.ended
  }

  /** @throws {@link AppKilledError} once the run has ended. */
  assertCurrent(): void {
    if (this.ended) throw new AppKilledError('emulator: this object belongs to an app run that ended with restart(); use the new emu.wx / emu.uni')
  }

  /**
   * A shallow copy of `target` whose methods throw once this run has ended.
   * Non-function members (`env`) are copied as they are.
   */
  bind<T extends object>(target: T): T {
    const bound: Record<string, unknown> = {}
    for (const [name, member] of Object.entries(target)) {
      bound[name] =
        typeof member === 'function'
          ? (...args: unknown[]): unknown => {
              this.assertCurrent()
              return (member as (...values: unknown[]) => unknown).apply(target, args)
            }
          : member
    }
    return bound as T
  }
}
