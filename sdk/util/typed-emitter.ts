import type { Unsubscribe } from '../platform/platform'
import { reportToConsole, Subscribable, type ListenerErrorSink } from './subscribable'

/**
 * A small synchronous event emitter typed by an event map: one
 * {@link Subscribable} per event name, so a listener that throws is reported
 * and stops neither the others nor the emitter.
 */
export class TypedEmitter<Events extends object> {
  private readonly byName = new Map<keyof Events, Subscribable<[never]>>()

  constructor(private readonly onListenerError: ListenerErrorSink = reportToConsole) {}

  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): Unsubscribe {
    let listeners = this.byName.get(name)
    if (!listeners) {
      listeners = new Subscribable<[never]>(this.onListenerError)
      this.byName.set(name, listeners)
    }
    return listeners.subscribe(listener as (payload: never) => void)
  }

  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    this.byName.get(name)?.notify(payload as never)
  }

  clear(): void {
    this.byName.clear()
  }
}
