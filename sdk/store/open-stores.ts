import type { PlatformStorage } from '../platform/platform'

/**
 * Namespaces open on each storage object. Two stores on one namespace
 * would each trust an index the other one invalidates, so the second open
 * is refused. Keyed by the storage object (weakly, so a dropped platform
 * does not leak), hence one storage adapter per runtime is expected.
 */
const openNamespaces = new WeakMap<PlatformStorage, Set<string>>()

/** Marks `namespace` open on `storage`; false when it already was. */
export function claimNamespace(storage: PlatformStorage, namespace: string): boolean {
  let namespaces = openNamespaces.get(storage)
  if (!namespaces) {
    namespaces = new Set()
    openNamespaces.set(storage, namespaces)
  }
  if (namespaces.has(namespace)) return false
  namespaces.add(namespace)
  return true
}

export function releaseNamespace(storage: PlatformStorage, namespace: string): void {
  openNamespaces.get(storage)?.delete(namespace)
}
