/**
 * The batch endpoint: many outbox entries in one request, each run through
 * the app's own routes under its own Idempotency-Key. Re-exported by
 * `miniprogram-offline/server`.
 */
export { batch } from './node-batch'
export type { BatchEndpointMiddleware, BatchEndpointOptions, BatchIncomingMessage } from './node-batch'
export { koaBatch } from './koa-batch'
export type { KoaAppLike, KoaBatchContextLike, KoaBatchMiddleware, KoaBatchOptions } from './koa-batch'
export {
  DEFAULT_AUTH_HEADERS,
  DEFAULT_BATCH_MAX_BYTES,
  DEFAULT_BATCH_MAX_ENTRIES,
  DEFAULT_BATCH_METHODS,
  DEFAULT_ENTRY_TIMEOUT_MS,
  DEFAULT_LANE_CONCURRENCY,
} from './batch-options'
export type { AppHandler, BatchLimitOptions } from './batch-options'
export type { AttemptedResult, BatchEntry, BatchRequestBody, BatchResponseBody, BatchResult, NotAttemptedResult } from './batch-wire'
