import { InUseError } from '../errors'
import type { Platform } from '../platform/platform'
import { DurableStore } from '../store'

interface OpenNamespace {
  store: DurableStore
  queues: Set<string>
}

const openNamespaces = new WeakMap<Platform['storage'], Map<string, OpenNamespace>>()

/**
 * Opens queue `queue` in `namespace`, sharing one durable store per namespace
 * between every queue of the app. Two live queues with the same name in one
 * namespace would send the same entries twice: that is an `InUseError`.
 */
export function openQueueStore(platform: Platform, namespace: string, queue: string, maxBytes?: number): DurableStore {
  let byName = openNamespaces.get(platform.storage)
  if (!byName) {
    byName = new Map()
    openNamespaces.set(platform.storage, byName)
  }
  let open = byName.get(namespace)
  if (!open) {
    open = { store: DurableStore.open(platform.storage, { namespace, maxBytes }), queues: new Set() }
    byName.set(namespace, open)
  }
  if (open.queues.has(queue)) {
    throw new InUseError(`queue "${queue}" is already open in namespace "${namespace}"; close it first`)
  }
  open.queues.add(queue)
  return open.store
}

/** Releases a queue; the namespace's store closes with its last queue. */
export function closeQueueStore(platform: Platform, namespace: string, queue: string): void {
  const byName = openNamespaces.get(platform.storage)
  const open = byName?.get(namespace)
  if (!byName || !open) return
  open.queues.delete(queue)
  if (open.queues.size > 0) return
  open.store.close()
  byName.delete(namespace)
}
