import type { NetworkStatus, NetworkType, PlatformNetwork, Unsubscribe } from '../platform/platform'
import { Subscribable, type ListenerErrorSink } from '../util/subscribable'

/**
 * What the SDK believes about the network. Until `getNetworkType` answers it
 * knows nothing (`online` is `null`: a page must not flash "离线中" at
 * launch, and nothing is sent live meanwhile; a request made then is stored
 * and replayed moments later), then it follows `onNetworkStatusChange` and
 * tells listeners about changes only.
 */
export class NetworkMonitor {
  private status: NetworkStatus | undefined
  private readonly listeners: Subscribable<[NetworkStatus, boolean | null]>
  private unsubscribe: Unsubscribe | undefined

  constructor(private readonly network: PlatformNetwork, onListenerError?: ListenerErrorSink) {
    this.listeners = new Subscribable(onListenerError)
  }

  /** `null` until the runtime has said. */
  get online(): boolean | null {
    return this.status ? this.status.isConnected : null
  }

  get networkType(): NetworkType {
    return this.status?.networkType ?? 'unknown'
  }

  /** Subscribes to the runtime and reads the current state once. */
  async start(): Promise<void> {
    this.unsubscribe = this.network.onChange((status) => this.set(status))
    try {
      this.set(await this.network.getStatus())
    } catch {
      // A runtime that cannot say: assume a connection, and let send attempts tell the truth.
      this.set({ isConnected: true, networkType: 'unknown' })
    }
  }

  /** Stops following the runtime (listeners stay, for a later `start()`). */
  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  /** Called on every change of `online` or `networkType`, with whether it was online before (`null`: unknown). */
  onChange(listener: (status: NetworkStatus, wasOnline: boolean | null) => void): Unsubscribe {
    return this.listeners.subscribe(listener)
  }

  private set(status: NetworkStatus): void {
    const previous = this.status
    this.status = status
    if (previous && previous.isConnected === status.isConnected && previous.networkType === status.networkType) return
    this.listeners.notify(status, previous ? previous.isConnected : null)
  }
}
