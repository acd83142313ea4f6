/**
 * miniprogram-offline: keeps WeChat and uni-app mini-programs working
 * without a network.
 * @packageDocumentation
 */
export { createOffline, OfflineClient } from './client/offline-client'
export type { EntryPlacement, RequestResult, StorageUsage } from './client/offline-client'
export type { TaskStepOptions, UploadInput } from './client/task-builder'
export type { StepReference, StepResult } from './queue/step-reference'
export type { StoredUpload, TaskRequestInput, TaskStep, TaskUploadInput } from './queue/task-step'
export type { OfflineOptions, OfflineRequestOptions, HeadersProvider } from './client/offline-options'
export { Queue } from './client/queue'
export type { QueueEntry, QueueOptions } from './client/queue'
export type { PendingItem } from './client/pending-view'
export type { SyncStatus, StatusSource } from './client/sync-status'
export type { SyncEvents, SyncWarning } from './sync/sync-events'
export type { AttemptOutcome, Classifier, Verdict } from './sync/answer-classifier'
export { defaultClassify } from './sync/answer-classifier'
export type { RetryOptions } from './sync/retry-policy'
export type { BatchOptions } from './sync/batch-protocol'
export type { AttemptError, EntryMetadata, OutboxEntry, RequestEntry, UploadEntry, TaskEntry } from './queue/outbox-entry'
export type { StoredRequest } from './queue/stored-request'
export * from './errors'
export * from './platform'
export type {
  GetOptions,
  GetResult,
  ReadSource,
  OfflineReaderOptions,
  CacheExpiration,
  ReadStrategy,
  ReadHeaders,
  ManifestApi,
  ManifestDocument,
  ManifestResource,
  ManifestSource,
  ManifestEvents,
  ManifestOutcome,
  ManifestStatus,
} from './cache'
export { READ_STRATEGIES, DEFAULT_CACHE_MAX_BYTES, DEFAULT_MAX_FILE_BYTES, DEFAULT_CACHE_NAME } from './cache'
export { DurableStore } from './store'
export type { DurableStoreOptions, StoreIntegrity, StoreUsage } from './store'
