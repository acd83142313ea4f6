/**
 * The batch endpoint's wire format (docs/batch-protocol.md), as pure
 * functions: which entries may travel in a batch, the request body, and
 * reading the answer back into one outcome per entry.
 *
 * | batch answer | what the client does |
 * | --- | --- |
 * | 200 with one result per entry, in order | each result is classified like a single answer; `notAttempted` entries stay queued untouched |
 * | 404, 405, 501 (no such endpoint), 400, 413, 415, or a 2xx that is not the protocol | per-entry sends for the rest of the run, with a `batchFallback` event |
 * | 401, 403 | credentials refreshed (`onAuthExpired`), then the batch once more; a second one falls back |
 * | any other status (5xx, 408, 429, 409) | each entry gets that answer (retry with backoff) |
 * | no answer | each entry gets no answer (retry with backoff; every lane pauses) |
 */
import { InvalidArgumentError } from '../errors'
import type { HttpResponse } from '../platform/platform'
import { assertRequestUrl } from '../queue/request-vocabulary'
import type { OutboxEntry } from '../queue/outbox-entry'
import type { StepResult } from '../queue/step-reference'

/** `createOffline({ batch })`: where the batch endpoint is, and how much one batch may carry. */
export interface BatchOptions {
  /** The batch endpoint, an absolute http(s) URL; only entries on its origin travel in batches. */
  url: string
  /** Entries in one batch. Default 50, at most 500. */
  maxEntries?: number
  /** UTF-8 bytes of one batch's body. Default 512 KiB. */
  maxBytes?: number
}

export const DEFAULT_BATCH_ENTRIES = 50
export const DEFAULT_BATCH_BYTES = 512 * 1024
const MAX_BATCH_ENTRIES = 500

/** Checks `batch` before anything is opened. @throws {@link InvalidArgumentError} */
export function checkBatchOptions(batch: unknown): asserts batch is BatchOptions | undefined {
  if (batch === undefined) return
  if (typeof batch !== 'object' || batch === null) throw new InvalidArgumentError('batch must be an object like { url }')
  const { url, maxEntries, maxBytes } = batch as Record<string, unknown>
  assertRequestUrl(url, 'batch.url')
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && (maxEntries as number) >= 2 && (maxEntries as number) <= MAX_BATCH_ENTRIES)) {
    throw new InvalidArgumentError(`batch.maxEntries must be an integer from 2 to ${MAX_BATCH_ENTRIES}, got ${String(maxEntries)}`)
  }
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && (maxBytes as number) >= 1024)) {
    throw new InvalidArgumentError(`batch.maxBytes must be an integer of at least 1024, got ${String(maxBytes)}`)
  }
}

/** One entry on the wire. */
export interface WireEntry {
  key: string
  lane: string
  method: string
  path: string
  headers: Record<string, string>
  body?: unknown
}

/** What became of one entry of a batch: an answer of its own, or nothing (not attempted). */
export type EntryAnswer = { response: HttpResponse; result: StepResult } | { notAttempted: true }

/** How a whole batch went, before entries are settled. */
export type BatchVerdict =
  | { kind: 'answers'; answers: EntryAnswer[] }
  /** The endpoint does not speak the protocol: send per entry from now on. */
  | { kind: 'unsupported'; reason: string }
  /** The batch's own credentials were refused. */
  | { kind: 'authExpired'; response: HttpResponse }
  /** The same answer (or no answer) for every entry. */
  | { kind: 'forEach'; response?: HttpResponse; errMsg?: string }

const ORIGIN_AND_PATH = /^(https?:\/\/[^/?#]+)([^#]*)/i
const BATCHABLE_METHODS = ['POST', 'PUT', 'DELETE']
/** Headers an entry may not carry into a batch: credentials belong to the batch, framing to each hop, the key to the entry. */
const HEADERS_A_BATCH_REFUSES = ['authorization', 'cookie', 'proxy-authorization', 'idempotency-key', 'content-length', 'transfer-encoding', 'host', 'connection']

function splitUrl(url: string): { origin: string; path: string } | undefined {
  const match = ORIGIN_AND_PATH.exec(url)
  if (!match) return undefined
  return { origin: match[1].toLowerCase(), path: match[2] === '' ? '/' : match[2] }
}

/** The batch endpoint's origin, to compare entries against. */
export function originOf(url: string): string | undefined {
  return splitUrl(url)?.origin
}

/**
 * The entry as it travels in a batch, or `undefined` when it must go on
 * its own: an upload or task, another origin, a text or binary body, a
 * GET (whose data is a query string), stored credentials or framing
 * headers (`persistSecretHeaders`), or ways (`dataType`, `responseType`)
 * the batch cannot carry.
 */
export function toWireEntry(entry: OutboxEntry, origin: string, key: string): WireEntry | undefined {
  const request = entry.request
  if (!request || typeof request.url !== 'string' || (entry.done ?? 0) > 0) return undefined
  if (!BATCHABLE_METHODS.includes(request.method) || request.base64 !== undefined || typeof request.data === 'string') return undefined
  if (request.dataType === 'text' || request.responseType === 'arraybuffer') return undefined
  const target = splitUrl(request.url)
  if (!target || target.origin !== origin) return undefined
  if (Object.keys(request.header ?? {}).some((name) => HEADERS_A_BATCH_REFUSES.includes(name.toLowerCase()))) return undefined
  const wire: WireEntry = { key, lane: entry.lane, method: request.method, path: target.path, headers: { ...request.header } }
  if (request.data !== undefined) wire.body = request.data
  return wire
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringHeaders(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {}
  if (!isRecord(value)) return headers
  for (const [name, text] of Object.entries(value)) if (typeof text === 'string') headers[name] = text
  return headers
}

/** Reads a 2xx batch answer; `undefined` when it is not the protocol (wrong count, keys out of order). */
function readResults(data: unknown, keys: readonly string[]): EntryAnswer[] | undefined {
  const results = isRecord(data) ? data.results : undefined
  if (!Array.isArray(results) || results.length !== keys.length) return undefined
  const answers: EntryAnswer[] = []
  for (const [index, raw] of results.entries()) {
    if (!isRecord(raw) || raw.key !== keys[index]) return undefined
    if (raw.notAttempted === true) {
      answers.push({ notAttempted: true })
      continue
    }
    if (typeof raw.status !== 'number' || !Number.isInteger(raw.status)) return undefined
    const response: HttpResponse = { statusCode: raw.status, data: raw.body, header: stringHeaders(raw.headers) }
    answers.push({ response, result: { statusCode: raw.status, data: raw.body } })
  }
  return answers
}

const UNSUPPORTED = [400, 404, 405, 413, 415, 501]

/** What a batch answer (or its absence) means for the entries in it. */
export function judgeBatch(outcome: { response?: HttpResponse; errMsg?: string }, keys: readonly string[]): BatchVerdict {
  const response = outcome.response
  if (!response) return { kind: 'forEach', errMsg: outcome.errMsg ?? 'no answer' }
  const status = response.statusCode
  if (UNSUPPORTED.includes(status)) return { kind: 'unsupported', reason: `the batch endpoint answered HTTP ${status}` }
  if (status === 401 || status === 403) return { kind: 'authExpired', response }
  if (status < 200 || status >= 300) return { kind: 'forEach', response }
  const answers = readResults(response.data, keys)
  return answers ? { kind: 'answers', answers } : { kind: 'unsupported', reason: 'the batch answer did not follow the protocol' }
}
