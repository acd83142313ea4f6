/**
 * When an entry has waited too long: the one place that decides expiry.
 *
 * Retention counts from `acceptedAt`, the phone's clock when the action was
 * accepted. That clock can be wrong, and a user must not lose visits for it:
 * - a time before {@link EARLIEST_PLAUSIBLE_TIME} (a phone reading 1970) is
 *   not a time at all: such an entry's age counts from when this run first
 *   saw it, so it gets a full retention period once the clock is right;
 * - a time in the future (the clock was ahead, then corrected) is an age of
 *   zero, never a negative one that expires early.
 * A wrong clock therefore only ever keeps an entry longer, never shorter.
 */

/** 2024-01-01T00:00:00Z: no entry of this SDK was accepted before it. */
export const EARLIEST_PLAUSIBLE_TIME = Date.UTC(2024, 0, 1)

/** The default: 7 days, in minutes, as Workbox's `maxRetentionTime`. */
export const DEFAULT_RETENTION_MINUTES = 7 * 24 * 60

/** Decides expiry for one queue; remembers when it first saw entries stamped with an implausible time. */
export class RetentionPolicy {
  private readonly firstSeen = new Map<string, number>()

  constructor(readonly retentionMs: number) {}

  /** Whether the entry accepted at `acceptedAt` has outlived retention at `now`. */
  isExpired(id: string, acceptedAt: number, now: number): boolean {
    return now - this.startOf(id, acceptedAt, now) > this.retentionMs
  }

  /** Forgets an entry that left the queue. */
  forget(id: string): void {
    this.firstSeen.delete(id)
  }

  private startOf(id: string, acceptedAt: number, now: number): number {
    if (acceptedAt >= EARLIEST_PLAUSIBLE_TIME) return Math.min(acceptedAt, now)
    // The clock is still wrong: nothing can be measured yet.
    if (now < EARLIEST_PLAUSIBLE_TIME) return now
    let seen = this.firstSeen.get(id)
    if (seen === undefined || seen > now) {
      seen = now
      this.firstSeen.set(id, seen)
    }
    return seen
  }
}
