/**
 * The durable key-value store: any JSON value over WeChat / uni-app sync
 * storage, chunked, crash-safe, within a byte budget.
 * @packageDocumentation
 */
export { DurableStore } from './durable-store'
export type { StoreIntegrity, StoreUsage } from './durable-store'
export type { DurableStoreOptions } from './store-options'
export { DEFAULT_BUDGET_SHARE, DEFAULT_CHUNK_BYTES, DEFAULT_MAX_BYTES, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, defaultMaxBytes } from './store-options'
export { listStorage } from './storage-listing'
export type { StorageListing } from './storage-listing'
export { MAX_KEY_LENGTH, MAX_NAMESPACE_LENGTH } from './record-keys'
export { STORE_FORMAT } from './store-format'
export { toJsonText } from './json-value'
