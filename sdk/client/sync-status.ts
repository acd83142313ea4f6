import type { NetworkType, Unsubscribe } from '../platform/platform'

/** Everything a user could wonder about, in one object. */
export interface SyncStatus {
  online: boolean
  networkType: NetworkType
  /** Entries waiting to be sent (dead letters not included). */
  pending: number
  /** Entries being sent right now. */
  inFlight: number
  /** Entries the server refused for good, kept until retried or discarded. */
  deadLetters: number
  syncing: boolean
  lastSyncAt?: number
  nextRetryAt?: number
}

/** Observable status: `get()` now, `subscribe()` for every change. */
export interface StatusSource {
  get(): SyncStatus
  /** Calls `listener` at once with the current status, then on every change. */
  subscribe(listener: (status: SyncStatus) => void): Unsubscribe
}

function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  return (Object.keys(a) as Array<keyof SyncStatus>).every((key) => a[key] === b[key]) &&
    Object.keys(a).length === Object.keys(b).length
}

/** Recomputes the status on `refresh()` and tells subscribers only when it changed. */
export class StatusPublisher implements StatusSource {
  private current: SyncStatus
  private readonly listeners = new Set<(status: SyncStatus) => void>()

  constructor(private readonly compute: () => SyncStatus) {
    this.current = compute()
  }

  get(): SyncStatus {
    return { ...this.current }
  }

  subscribe(listener: (status: SyncStatus) => void): Unsubscribe {
    this.listeners.add(listener)
    listener(this.get())
    return () => this.listeners.delete(listener)
  }

  refresh(): void {
    const next = this.compute()
    if (sameStatus(next, this.current)) return
    this.current = next
    for (const listener of [...this.listeners]) listener(this.get())
  }

  clear(): void {
    this.listeners.clear()
  }
}
