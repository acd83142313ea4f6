import type { Clock } from '../platform/platform'

interface Wait {
  /** Wall time when the wait began. */
  from: number
  /** Wall time when it ends. */
  until: number
  /** The server asked for it (`Retry-After`): kept even when the user asks to send now. */
  serverAsked: boolean
}

/**
 * When each waiting entry may be tried again, without trusting wall-clock
 * jumps. A wait is over when the clock has passed its end, or when the clock
 * now reads earlier than the moment the wait began: the user set the phone
 * back, the time that really passed is unknown, and trying now is better
 * than leaving a visit stuck for a day. A jump forward only ends waits
 * early. Timers run on elapsed time, so the timer that wakes replay is not
 * fooled either. Kept in memory: a cold start tries everything at once.
 */
export class BackoffSchedule {
  private readonly waits = new Map<string, Wait>()

  constructor(private readonly clock: Clock) {}

  /** Makes `id` wait until wall time `until`; `serverAsked` when a `Retry-After` set it. */
  waitUntil(id: string, until: number, serverAsked = false): void {
    this.waits.set(id, { from: this.clock.now(), until, serverAsked })
  }

  isDue(id: string): boolean {
    return this.dueAt(id) <= this.clock.now()
  }

  /** When `id` may go: its wait's end, or now when the wait is over or no longer trustworthy. */
  dueAt(id: string): number {
    const wait = this.waits.get(id)
    const now = this.clock.now()
    if (!wait || now < wait.from) return now
    return wait.until
  }

  /** Whether `id` waits at all. */
  has(id: string): boolean {
    return this.waits.has(id)
  }

  forget(id: string): void {
    this.waits.delete(id)
  }

  /**
   * Ends the SDK's own waits: the user asked to send now, or the network
   * just came back. A wait the server asked for stays: sending into it only
   * earns another `Retry-After`.
   */
  skipOwnWaits(): void {
    for (const [id, wait] of this.waits) if (!wait.serverAsked) this.waits.delete(id)
  }

  /** Ends every wait (the queue was emptied). */
  clear(): void {
    this.waits.clear()
  }
}
