import type { Unsubscribe } from '../platform/platform'

/**
 * A small synchronous event emitter typed by an event map. A listener that
 * throws does not stop the others: the SDK's bookkeeping must not depend on
 * app code behaving.
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>()

  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): Unsubscribe {
    let set = this.listeners.get(name)
    if (!set) {
      set = new Set()
      this.listeners.set(name, set)
    }
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    const set = this.listeners.get(name)
    if (!set) return
    for (const listener of [...set]) {
      try {
        ;(listener as (payload: Events[Name]) => void)(payload)
      } catch (error) {
        console.error(`[miniprogram-offline] a "${String(name)}" listener threw`, error)
      }
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
