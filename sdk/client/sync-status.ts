import type { NetworkType, Unsubscribe } from '../platform/platform'
import { reportToConsole, Subscribable, type ListenerErrorSink } from '../util/subscribable'

/** Everything a user could wonder about, in one object. */
export interface SyncStatus {
  /** `null` until the network state is known (show neither "online" nor "offline" yet). */
  online: boolean | null
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
  /**
   * Calls `listener` at once with the current status, then on every change
   * (never twice in a row with the same status, so each call is worth a
   * `setData`). Returns the unsubscribe: call it in `onUnload`.
   */
  subscribe(listener: (status: SyncStatus) => void): Unsubscribe
}

function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  const keys = Object.keys(a) as Array<keyof SyncStatus>
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
}

/** Recomputes the status on `refresh()` and tells subscribers only when it changed. */
export class StatusPublisher implements StatusSource {
  private current: SyncStatus
  private readonly listeners: Subscribable<[SyncStatus]>

  constructor(private readonly compute: () => SyncStatus, private readonly onListenerError: ListenerErrorSink = reportToConsole) {
    this.current = compute()
    this.listeners = new Subscribable(onListenerError)
  }

  get(): SyncStatus {
    return { ...this.current }
  }

  subscribe(listener: (status: SyncStatus) => void): Unsubscribe {
    const unsubscribe = this.listeners.subscribe(listener)
    try {
      listener(this.get())
    } catch (error) {
      this.onListenerError(error)
    }
    return unsubscribe
  }

  refresh(): void {
    const next = this.compute()
    if (sameStatus(next, this.current)) return
    this.current = next
    this.listeners.notify(this.get())
  }

  clear(): void {
    this.listeners.clear()
  }
}
