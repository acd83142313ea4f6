import { createOfflineReader, type OfflineReader } from '../cache'
import type { Platform } from '../platform/platform'
import { DurableStore, listStorage, type StorageListing } from '../store'
import type { OfflineOptions } from './offline-options'
import { QueueEngine } from './queue-engine'
import { acquireShared, releaseShared, type Shared } from './shared-registry'

/** The queue `createOffline` uses in its namespace; `Queue` names its own. */
export const DEFAULT_QUEUE = 'default'

/** A namespace's durable store, shared by its queues; closed with the last of them. */
class SharedStore implements Shared {
  constructor(readonly store: DurableStore) {}

  dispose(): void {
    this.store.close()
  }
}

/** Takes the namespace's store, opening it on first use (from `listing` when given). */
export function acquireStore(platform: Platform, namespace: string, maxBytes: number | undefined, listing?: StorageListing): SharedStore {
  const open = (): SharedStore => new SharedStore(DurableStore.open(platform.storage, { namespace, maxBytes, listing }))
  return acquireShared(platform.storage, `store:${namespace}`, open).value
}

export function releaseStore(platform: Platform, namespace: string, store: SharedStore): void {
  releaseShared(platform.storage, `store:${namespace}`, store)
}

/**
 * Everything `createOffline` runs for one namespace: the outbox engine and
 * the read side. Every page's client of the namespace shares one, so there
 * is one sender per namespace in the app.
 */
export class NamespaceRuntime implements Shared {
  private constructor(
    private readonly store: SharedStore,
    readonly engine: QueueEngine,
    readonly reader: OfflineReader,
  ) {}

  /** All or nothing: a part that throws leaves nothing open, running or locked. */
  static open(platform: Platform, namespace: string, options: OfflineOptions): NamespaceRuntime {
    // One scan of storage for both stores: opening 10,000 entries lists keys once.
    const listing = listStorage(platform.storage)
    const store = acquireStore(platform, namespace, options.maxStorageBytes, listing)
    try {
      let reader: OfflineReader | undefined
      const engine = new QueueEngine({
        platform,
        namespace,
        queueName: DEFAULT_QUEUE,
        options,
        store: store.store,
        // Cached reads always make room for queued writes, never the other way round.
        freeSpace: (bytes) => reader?.freeSpace(bytes) ?? 0,
        checkOtherStorage: () => reader?.checkIntact(),
        onDispose: () => {
          reader?.close()
          releaseStore(platform, namespace, store)
        },
      })
      reader = createOfflineReader({ platform, namespace, network: engine.network, listing, options: { headers: options.headers, ...options.reads } })
      return new NamespaceRuntime(store, engine, reader)
    } catch (error) {
      releaseStore(platform, namespace, store)
      throw error
    }
  }

  /** Settles once the network state is known, the first replay has started and leftover files are cleaned up. */
  get ready(): Promise<void> {
    return Promise.all([this.engine.ready, this.reader.ready]).then(() => undefined)
  }

  /** The namespace store's bytes against its budget. */
  storeUsage(): { bytes: number; maxBytes: number } {
    return this.store.store.usage()
  }

  wake(): void {
    this.engine.wake()
  }

  sleep(): void {
    this.engine.sleep()
  }

  busy(): Promise<void> | undefined {
    return this.engine.busy()
  }

  dispose(): void {
    this.engine.dispose()
  }
}
