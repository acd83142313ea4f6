import { InvalidArgumentError, type OfflineClient } from '../index'

/**
 * The one client the shipped components and {@link offlineStatusBehavior}
 * show. Components cannot receive an object with methods through WXML
 * properties (setData copies data as JSON), so the app hands it over here.
 */
let provided: OfflineClient | undefined
const waiting = new Set<(client: OfflineClient | undefined) => void>()

/**
 * Makes `client` the one the offline components show. Call it once, in
 * `app.js`, right after `createOffline()` (and again if the app replaces the
 * client, e.g. on a user switch: attached components follow).
 *
 * @example
 * ```js
 * const { createOffline } = require('miniprogram-offline')
 * const { provideOffline } = require('miniprogram-offline/components/index')
 * provideOffline(createOffline({ namespace: 'sales:rep-001' }))
 * ```
 * @throws {@link InvalidArgumentError} when `client` is not an offline client.
 */
export function provideOffline(client: OfflineClient | undefined): void {
  if (client !== undefined && !isClient(client)) {
    throw new InvalidArgumentError('provideOffline(client) needs the object createOffline() returned')
  }
  provided = client
  waiting.forEach((listener) => listener(client))
}

/** The client given to {@link provideOffline}, if any. */
export function providedOffline(): OfflineClient | undefined {
  return provided
}

/**
 * Calls `listener` with the provided client now and whenever another is
 * provided; returns the unsubscribe (components call it on detach).
 */
export function watchProvidedOffline(listener: (client: OfflineClient | undefined) => void): () => void {
  waiting.add(listener)
  listener(provided)
  return () => {
    waiting.delete(listener)
  }
}

function isClient(value: unknown): value is OfflineClient {
  const candidate = value as Partial<OfflineClient> | null
  return typeof candidate === 'object' && candidate !== null && typeof candidate.pending === 'function' && typeof candidate.status?.subscribe === 'function'
}
