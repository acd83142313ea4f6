/** The batch endpoint's options, their defaults, and their checks. */
import type { IncomingMessage, ServerResponse } from 'http'
import { InvalidArgumentError } from '../../errors'
import { DEFAULT_KEY_HEADER } from '../options'

/** The most entries a batch may carry by default: 50, the client's default `maxEntries`. */
export const DEFAULT_BATCH_MAX_ENTRIES = 50

/** The largest batch body by default: 512 KiB, the client's default `maxBytes`. */
export const DEFAULT_BATCH_MAX_BYTES = 512 * 1024

/** Lanes run at once by default. Entries within a lane always run one after another. */
export const DEFAULT_LANE_CONCURRENCY = 4

/** How long one sub-request may take before its result is a 504 (and its lane stops): 30 s. */
export const DEFAULT_ENTRY_TIMEOUT_MS = 30_000

/** The headers that carry who the caller is: taken from the batch request only, refused in an entry. */
export const DEFAULT_AUTH_HEADERS: readonly string[] = ['authorization', 'cookie', 'proxy-authorization']

/** Methods a sub-request may use by default. */
export const DEFAULT_BATCH_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/** The app a sub-request runs through: an Express app, a Koa `app.callback()`, or any `node:http` handler. */
export type AppHandler = (req: IncomingMessage, res: ServerResponse) => unknown

/** Options shared by every form of the batch endpoint. */
export interface BatchLimitOptions {
  /** The most entries in one batch; more is 413. Default {@link DEFAULT_BATCH_MAX_ENTRIES}. */
  maxEntries?: number
  /** The largest batch body in bytes; more is 413. Default {@link DEFAULT_BATCH_MAX_BYTES}. */
  maxBytes?: number
  /** The header each sub-request gets its entry's key in. Default `Idempotency-Key` (as the idempotency middleware). */
  keyHeader?: string
  /**
   * Headers that say who the caller is (lower or any case). They come from
   * the batch request and apply to every sub-request; an entry carrying one
   * is malformed (400). Default `authorization`, `cookie`,
   * `proxy-authorization`; add your own (e.g. `x-wx-session`).
   */
  authHeaders?: readonly string[]
  /** Methods a sub-request may use. Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[]
  /** Lanes run at once (1: one lane after another, in order of first appearance). Default {@link DEFAULT_LANE_CONCURRENCY}. */
  laneConcurrency?: number
  /** How long one sub-request may take before its result is 504 and its lane stops. Default {@link DEFAULT_ENTRY_TIMEOUT_MS}. */
  entryTimeoutMs?: number
}

/** {@link BatchLimitOptions} with every default filled in. */
export interface ResolvedBatchOptions {
  maxEntries: number
  maxBytes: number
  keyHeader: string
  authHeaders: ReadonlySet<string>
  methods: ReadonlySet<string>
  laneConcurrency: number
  entryTimeoutMs: number
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}

function names(option: string, value: readonly string[] | undefined, fallback: readonly string[]): string[] {
  const list = value ?? fallback
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(item))) {
    throw new InvalidArgumentError(`${option} must be an array of header or method names`)
  }
  return list
}

/** Checks the options and fills defaults. @throws InvalidArgumentError on a bad option. */
export function resolveBatchOptions(options: BatchLimitOptions): ResolvedBatchOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('batch options must be an object')
  const keyHeader = options.keyHeader ?? DEFAULT_KEY_HEADER
  if (typeof keyHeader !== 'string' || !/^[A-Za-z0-9-]+$/.test(keyHeader)) throw new InvalidArgumentError(`keyHeader is not a header name: ${String(keyHeader)}`)
  return {
    maxEntries: positiveInteger('maxEntries', options.maxEntries, DEFAULT_BATCH_MAX_ENTRIES),
    maxBytes: positiveInteger('maxBytes', options.maxBytes, DEFAULT_BATCH_MAX_BYTES),
    keyHeader: keyHeader.toLowerCase(),
    authHeaders: new Set(names('authHeaders', options.authHeaders, DEFAULT_AUTH_HEADERS).map((h) => h.toLowerCase())),
    methods: new Set(names('methods', options.methods, DEFAULT_BATCH_METHODS).map((m) => m.toUpperCase())),
    laneConcurrency: positiveInteger('laneConcurrency', options.laneConcurrency, DEFAULT_LANE_CONCURRENCY),
    entryTimeoutMs: positiveInteger('entryTimeoutMs', options.entryTimeoutMs, DEFAULT_ENTRY_TIMEOUT_MS),
  }
}

/** Checks that `handler` is a function. @throws InvalidArgumentError otherwise. */
export function checkHandler(handler: unknown): AppHandler {
  if (typeof handler !== 'function') {
    throw new InvalidArgumentError('handler must be your app: an Express app, a node:http handler (req, res) => ..., or see koaBatch for Koa')
  }
  return handler as AppHandler
}
