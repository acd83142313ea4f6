/**
 * Turns a batch request's JSON into entries, or says why it is refused
 * (400 malformed, 413 over the limits) before any entry runs.
 */
import { isValidKey } from '../options'
import type { ResolvedBatchOptions } from './batch-options'
import type { BatchEntry } from './batch-wire'

/** The entries, or the batch endpoint's own refusal. */
export type ParsedBatch = { ok: true; entries: BatchEntry[] } | { ok: false; status: 400 | 413; error: string }

/** Headers an entry may not set: framing and connection headers belong to the batch request, the key to `key`. */
const FRAMING_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'host', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection'])

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

class Malformed extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The path with spaces and non-ASCII characters percent-encoded (UTF-8), as a browser would send it; control characters are malformed. */
function checkPath(at: string, path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) throw new Malformed(`${at}.path must be a path on this origin starting with one "/"`)
  if (/[\x00-\x1f\x7f]/.test(path)) throw new Malformed(`${at}.path has a control character`)
  try {
    return path.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run))
  } catch {
    throw new Malformed(`${at}.path is not valid text`)
  }
}

function checkHeaders(at: string, headers: unknown, options: ResolvedBatchOptions): Record<string, string> {
  if (headers === undefined) return {}
  if (!isRecord(headers)) throw new Malformed(`${at}.headers must be an object of strings`)
  const checked: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (!TOKEN.test(name)) throw new Malformed(`${at}.headers has a bad name: ${JSON.stringify(name)}`)
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new Malformed(`${at}.headers.${name} must be a one-line string`)
    if (options.authHeaders.has(lower)) throw new Malformed(`${at}.headers.${name}: auth comes from the batch request, never from an entry`)
    if (lower === options.keyHeader) throw new Malformed(`${at}.headers.${name}: the key goes in ${at}.key`)
    if (FRAMING_HEADERS.has(lower)) throw new Malformed(`${at}.headers.${name} belongs to the batch request`)
    if (checked[lower] !== undefined) throw new Malformed(`${at}.headers.${name} is given twice`)
    checked[lower] = value
  }
  return checked
}

function checkEntry(index: number, raw: unknown, options: ResolvedBatchOptions): BatchEntry {
  const at = `entries[${index}]`
  if (!isRecord(raw)) throw new Malformed(`${at} must be an object`)
  if (typeof raw.key !== 'string' || !isValidKey(raw.key)) throw new Malformed(`${at}.key must be 1 to 255 visible ASCII characters`)
  const lane = raw.lane ?? ''
  if (typeof lane !== 'string') throw new Malformed(`${at}.lane must be a string ('' for the default lane)`)
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : undefined
  if (method === undefined || !options.methods.has(method)) throw new Malformed(`${at}.method must be one of ${[...options.methods].join(', ')}`)
  const entry: BatchEntry = { key: raw.key, lane, method, path: checkPath(at, raw.path), headers: checkHeaders(at, raw.headers, options) }
  // null is "no body", as absent.
  if (raw.body !== undefined && raw.body !== null) entry.body = raw.body
  return entry
}

/**
 * Checks a parsed batch body against the protocol and the limits.
 * `bytes` is the body's size, for `maxBytes`.
 */
export function parseBatch(value: unknown, bytes: number, options: ResolvedBatchOptions): ParsedBatch {
  if (bytes > options.maxBytes) return { ok: false, status: 413, error: `the batch is ${bytes} bytes, over the limit of ${options.maxBytes}` }
  if (!isRecord(value) || !Array.isArray(value.entries)) return { ok: false, status: 400, error: 'the body must be JSON: { "entries": [ ... ] }' }
  const raw = value.entries
  if (raw.length === 0) return { ok: false, status: 400, error: 'entries is empty' }
  if (raw.length > options.maxEntries) return { ok: false, status: 413, error: `${raw.length} entries, over the limit of ${options.maxEntries}` }
  try {
    const entries = raw.map((entry, index) => checkEntry(index, entry, options))
    const keys = new Set<string>()
    for (const entry of entries) {
      if (keys.has(entry.key)) return { ok: false, status: 400, error: `the key ${entry.key} appears twice in one batch` }
      keys.add(entry.key)
    }
    return { ok: true, entries }
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, status: 400, error: error.message }
    throw error
  }
}
