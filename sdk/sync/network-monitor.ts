import type { NetworkStatus, NetworkType, PlatformNetwork, Unsubscribe } from '../platform/platform'

/**
 * What the SDK believes about the network. Until `getNetworkType` answers it
 * says offline (the status must never claim a connection nobody has seen;
 * a request made meanwhile is queued and replayed moments later), then it
 * follows `onNetworkStatusChange` and tells listeners about transitions only.
 */
export class NetworkMonitor {
  private status: NetworkStatus = { isConnected: false, networkType: 'unknown' }
  private readonly listeners = new Set<(status: NetworkStatus, wasOnline: boolean) => void>()
  private unsubscribe: Unsubscribe | undefined

  constructor(private readonly network: PlatformNetwork) {}

  get online(): boolean {
    return this.status.isConnected
  }

  get networkType(): NetworkType {
    return this.status.networkType
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

  stop(): void {
    this.unsubscribe?.()
    this.listeners.clear()
  }

  /** Called on every change of `online` or `networkType`. */
  onChange(listener: (status: NetworkStatus, wasOnline: boolean) => void): Unsubscribe {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private set(status: NetworkStatus): void {
    const previous = this.status
    this.status = status
    if (previous.isConnected === status.isConnected && previous.networkType === status.networkType) return
    for (const listener of [...this.listeners]) listener(status, previous.isConnected)
  }
}
