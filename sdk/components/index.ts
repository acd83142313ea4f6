/**
 * `miniprogram-offline/components/index`: what mini-program pages use with
 * the shipped components (`offline-bar`, `sync-center`).
 *
 * @example
 * ```json
 * { "usingComponents": {
 *     "offline-bar": "miniprogram-offline/components/offline-bar/index",
 *     "sync-center": "miniprogram-offline/components/sync-center/index" } }
 * ```
 * @packageDocumentation
 */
export { provideOffline, providedOffline, watchProvidedOffline } from './offline-provider'
export { offlineStatusBehavior } from './status-behavior'
export type { OfflineStatusData } from './status-behavior'
export { describeStatus, nextBatch } from './status-text'
export type { BarState, BarTone } from './status-text'
export { toRow, describeError } from './pending-row'
export type { PendingRow } from './pending-row'
