/**
 * The package's server entry for these tests, with the batch endpoint and
 * its conformance check named explicitly from their files: until
 * `miniprogram-offline/server` re-exports them, this is where they come
 * from; afterwards the explicit names simply match the package's own.
 */
export * from 'miniprogram-offline/server'
export {
  batch,
  koaBatch,
  DEFAULT_AUTH_HEADERS,
  DEFAULT_BATCH_MAX_BYTES,
  DEFAULT_BATCH_MAX_ENTRIES,
  DEFAULT_BATCH_METHODS,
  DEFAULT_ENTRY_TIMEOUT_MS,
  DEFAULT_LANE_CONCURRENCY,
} from '../../../../sdk/server/batch'
export type {
  AppHandler,
  AttemptedResult,
  BatchEndpointMiddleware,
  BatchEndpointOptions,
  BatchEntry,
  BatchIncomingMessage,
  BatchLimitOptions,
  BatchRequestBody,
  BatchResponseBody,
  BatchResult,
  KoaAppLike,
  KoaBatchContextLike,
  KoaBatchMiddleware,
  KoaBatchOptions,
  NotAttemptedResult,
} from '../../../../sdk/server/batch'
export { checkBatch } from '../../../../sdk/server/conformance/batch-check'
export type { BatchCheckOptions } from '../../../../sdk/server/conformance/batch-check'
