import type { Unsubscribe } from '../platform/platform'

/** Where a throwing listener's error goes: the app's `onError`, else the console. */
export type ListenerErrorSink = (error: unknown) => void

/** The default sink: app code that throws is reported, never allowed to stop the SDK. */
export const reportToConsole: ListenerErrorSink = (error) => {
  console.error('[miniprogram-offline] a listener threw', error)
}

/**
 * A set of listeners. A listener that throws is reported and does not stop
 * the others, nor the SDK code that notified them: replay and bookkeeping
 * must never depend on app code behaving. Listeners added or removed while
 * notifying take effect from the next notification.
 */
export class Subscribable<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>()

  constructor(private readonly onListenerError: ListenerErrorSink = reportToConsole) {}

  get size(): number {
    return this.listeners.size
  }

  subscribe(listener: (...args: Args) => void): Unsubscribe {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  notify(...args: Args): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args)
      } catch (error) {
        this.onListenerError(error)
      }
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
