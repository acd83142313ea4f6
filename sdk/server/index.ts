/**
 * `miniprogram-offline/server`: the server half of exactly-once, for Node
 * backends. Node only, no runtime dependencies: each store takes your own
 * client object.
 *
 * - {@link idempotency}: Connect/Express middleware; {@link withIdempotency}
 *   for plain `node:http`; {@link koaIdempotency} for Koa;
 *   {@link createIdempotency}, the framework-free core (Fastify hooks, ...).
 * - Stores: {@link sqliteStore} (better-sqlite3), {@link postgresStore}
 *   (pg), {@link redisStore} (node-redis or ioredis).
 * - {@link runConformance}: checks any backend, in any language, against the
 *   protocol (also `npx miniprogram-offline conformance <url>`).
 *
 * @packageDocumentation
 */
export { idempotency, withIdempotency } from './node-middleware'
export type { IdempotencyMiddleware, IdempotencyOptions, IdempotentRequest, RequestIdempotency } from './node-middleware'
export { koaIdempotency } from './koa-middleware'
export type { KoaContextLike, KoaIdempotencyMiddleware, KoaIdempotencyOptions } from './koa-middleware'
export { createIdempotency } from './idempotency-core'
export type { AnswerReason, CoreRequest, Decision, HeldRequest, IdempotencyCore, Settlement } from './idempotency-core'
export { DEFAULT_KEY_HEADER, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, MAX_KEY_LENGTH, REPLAYED_HEADER, isValidKey } from './options'
export type { IdempotencyCoreOptions } from './options'
export { toStoredAnswer } from './answer-init'
export type { AnswerInit } from './answer-init'
export { canonicalJson, defaultFingerprint } from './fingerprint'
export type { FingerprintInput } from './fingerprint'
export type { StoredAnswer } from './stored-answer'
export type { ClaimRequest, ClaimResult, HeldKey, IdempotencyStore, TransactionalStore, TransactionOutcome } from './key-store'
export { sqliteStore } from './stores/sqlite-store'
export type { SqliteDatabaseLike, SqliteStatementLike, SqliteStore, SqliteStoreOptions } from './stores/sqlite-store'
export { postgresStore } from './stores/postgres-store'
export type { PgPoolClientLike, PgPoolLike, PgQueryable, PgResultLike, PostgresStore, PostgresStoreOptions } from './stores/postgres-store'
export { redisStore } from './stores/redis-store'
export type { IoRedisClientLike, NodeRedisClientLike, RedisClientLike, RedisStoreOptions } from './stores/redis-store'
export { formatReport, runConformance } from './conformance/run-conformance'
export type { CheckResult, CheckStatus, ConformanceOptions, ConformanceReport } from './conformance/run-conformance'
export { batch, koaBatch, DEFAULT_AUTH_HEADERS, DEFAULT_BATCH_MAX_BYTES, DEFAULT_BATCH_MAX_ENTRIES, DEFAULT_BATCH_METHODS, DEFAULT_ENTRY_TIMEOUT_MS, DEFAULT_LANE_CONCURRENCY } from './batch'
export type { AppHandler, AttemptedResult, BatchEndpointMiddleware, BatchEndpointOptions, BatchEntry, BatchIncomingMessage, BatchLimitOptions, BatchRequestBody, BatchResponseBody, BatchResult, KoaAppLike, KoaBatchContextLike, KoaBatchMiddleware, KoaBatchOptions, NotAttemptedResult } from './batch'
export { checkBatch } from './conformance/batch-check'
export type { BatchCheckOptions } from './conformance/batch-check'
