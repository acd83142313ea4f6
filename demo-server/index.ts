/**
 * The demo's reference server: the server side of exactly-once delivery
 * (`Idempotency-Key` stored with its answer by the `miniprogram-offline/server` middleware core), with SQLite, photo uploads and
 * fault knobs. See README.md in this directory.
 */
export { startDemoServer, type DemoServer, type DemoServerDb, type DemoServerOptions, type StartupReport } from './server'
export type { DemoServerStats } from './stats'
export type { FaultKnobs } from './faults'
export { DEFAULT_SEED, mulberry32 } from './faults'
export type { DeliveryRow, IdempotencyRow, PhotoRow, RowCounts, StatusChangeRow, VisitRow } from './database'
export { SCHEMA, DATABASE_FILE, IDEMPOTENCY_TABLE } from './database'
export { DEFAULT_RETENTION_MS as DEFAULT_KEY_RETENTION_MS, DEFAULT_KEY_HEADER as IDEMPOTENCY_HEADER, REPLAYED_HEADER } from '../sdk/server'
export { encodePng, pngForName } from './png'
export { CUSTOMERS, ROUTE_STOPS, COURIER, type Customer, type RouteStop } from './seed-data'
export type { CustomersAnswer, RouteDelivery, RouteTodayAnswer } from './routes/catalogue'
export type { DemoManifest } from './routes/manifest'
export type { PhotoAnswer } from './routes/photos'
export type { VisitAnswer, VisitStatusAnswer } from './routes/visits'
export type { DeliveryAnswer } from './routes/deliveries'
export type { ErrorBody } from './answers'
export { ROUTES } from './routes'
