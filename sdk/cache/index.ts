/**
 * The read side: `get()` with caching strategies, kept images, and a
 * versioned precache manifest with AppCache's lifecycle.
 * @packageDocumentation
 */
export { createOfflineReader, cacheNamespace } from './offline-reader'
export type { OfflineReader, OfflineReaderConfig } from './offline-reader'
export type { GetOptions, GetResult, ReadSource } from './get-options'
export { READ_STRATEGIES, DEFAULT_CACHE_MAX_BYTES, DEFAULT_MAX_FILE_BYTES, DEFAULT_CACHE_NAME } from './reader-options'
export type { OfflineReaderOptions, CacheExpiration, ReadStrategy, ReadHeaders } from './reader-options'
export type { ManifestApi } from './manifest-api'
export type { ManifestDocument, ManifestResource, ManifestSource } from './manifest-document'
export type { ManifestEvents, ManifestOutcome, ManifestStatus } from './manifest-events'
