/**
 * Counts every write the emulated app makes (storage and files alike) and
 * fails the one a test chose: either a thrown error, or a "kill" after which
 * the app is dead until `restart()`.
 */

/** Thrown by every emulated call once the app has been killed. */
export class AppKilledError extends Error {
  constructor(message = 'emulator: the app was killed; call restart()') {
    super(message)
    this.name = 'AppKilledError'
  }
}

export type WriteKind = 'storage' | 'file'

/** One write as the injector saw it, for tests that report crash points. */
export interface WriteRecord {
  index: number
  kind: WriteKind
  /** The API that wrote, e.g. `setStorageSync` or `copyFile`. */
  api: string
  target: string
}

type PlannedFault = { at: number; action: 'throw' | 'kill'; message?: string }

export class FaultInjector {
  private count = 0
  private planned: PlannedFault[] = []
  private dead = false
  private readonly log: WriteRecord[] = []
  private readonly onKill: Array<() => void> = []

  /** Total writes seen since the emulator was created. */
  get writes(): number {
    return this.count
  }

  get killed(): boolean {
    return this.dead
  }

  /** The writes seen so far (index, API, key or path). */
  get history(): readonly WriteRecord[] {
    return this.log
  }

  /** The `nth` write from now (1 = the next one) throws `message` and is not applied. */
  throwAtWrite(nth: number, message = 'emulator: injected write failure'): void {
    this.planned.push({ at: this.count + nth, action: 'throw', message })
  }

  /** The `nth` write from now (1 = the next one) is not applied and the app dies. */
  killAtWrite(nth: number): void {
    this.planned.push({ at: this.count + nth, action: 'kill' })
  }

  /** Kills the app now, as if the user swiped it away. */
  kill(): void {
    if (this.dead) return
    this.dead = true
    for (const listener of this.onKill) listener()
  }

  /** Registers work to do when the app dies (abort network calls, ...). */
  whenKilled(listener: () => void): void {
    this.onKill.push(listener)
  }

  revive(): void {
    this.dead = false
    this.planned = []
  }

  /** Throws if the app is dead; every emulated call starts with this. */
  assertAlive(): void {
    if (this.dead) throw new AppKilledError()
  }

  /** Called before each write is applied; throws when this write was chosen to fail. */
  beforeWrite(kind: WriteKind, api: string, target: string): void {
    this.assertAlive()
    this.count += 1
    this.log.push({ index: this.count, kind, api, target })
    const fault = this.planned.find((planned) => planned.at === this.count)
    if (!fault) return
    this.planned = this.planned.filter((planned) => planned !== fault)
    if (fault.action === 'kill') {
      this.kill()
      throw new AppKilledError()
    }
    throw new Error(fault.message)
  }
}
