import { InUseError } from '../errors'

/**
 * Something every page of an app shares instead of opening its own: a
 * namespace's store, its outbox engine. Sleeping means no one holds it any
 * more: it stops starting work, and is disposed once the work it had in
 * flight has settled, unless someone takes it again first (a page closed
 * and another opened: the same engine wakes, so an entry on the wire is
 * never picked up a second time by a fresh engine).
 */
export interface Shared {
  /** Taken again (or for the first time): start working. */
  wake?(): void
  /** No holder left: start nothing new. */
  sleep?(): void
  /** `undefined` when nothing is in flight, else a promise that resolves once nothing is. */
  busy?(): Promise<void> | undefined
  /** Frees everything; never used again. */
  dispose(): void
}

interface Slot {
  value: Shared
  holders: number
}

/** By the storage object (one per runtime object, so one per app run), then by name. */
const slots = new WeakMap<object, Map<string, Slot>>()

function slotsOf(owner: object): Map<string, Slot> {
  let byName = slots.get(owner)
  if (!byName) {
    byName = new Map()
    slots.set(owner, byName)
  }
  return byName
}

/** What {@link acquireShared} hands out: the value, and whether this holder woke it (no one held it before). */
export interface Acquired<T> {
  value: T
  woke: boolean
}

/**
 * Takes `name` on `owner`, creating it on first use. `exclusive` refuses a
 * second holder with `InUseError` (a Workbox queue name is taken once). A
 * `create` that throws registers nothing.
 */
export function acquireShared<T extends Shared>(owner: object, name: string, create: () => T, exclusive = false): Acquired<T> {
  const byName = slotsOf(owner)
  let slot = byName.get(name)
  if (slot && exclusive && slot.holders > 0) throw new InUseError(`"${name}" is already open; close it first`)
  if (!slot) {
    slot = { value: create(), holders: 0 }
    byName.set(name, slot)
  }
  slot.holders += 1
  const woke = slot.holders === 1
  if (woke) slot.value.wake?.()
  return { value: slot.value as T, woke }
}

/** Lets go of `value`; the last holder's release puts it to sleep, and disposes it once idle. */
export function releaseShared(owner: object, name: string, value: Shared): void {
  const byName = slotsOf(owner)
  const slot = byName.get(name)
  if (!slot || slot.value !== value || slot.holders === 0) return
  slot.holders -= 1
  if (slot.holders > 0) return
  value.sleep?.()
  const disposeIfUnheld = (): void => {
    if (slot.holders > 0 || byName.get(name) !== slot) return
    byName.delete(name)
    value.dispose()
  }
  const busy = value.busy?.()
  if (busy) void busy.then(disposeIfUnheld)
  else disposeIfUnheld()
}
