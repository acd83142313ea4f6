/**
 * The conformance kit's batch check: holds any backend's batch endpoint
 * (Java, Go, PHP, Node) to the batch protocol (docs/batch-protocol.md),
 * over HTTP only. Every entry uses a fresh key.
 */
import { randomUUID } from 'crypto'
import { InvalidArgumentError } from '../../errors'
import { parseCount, probe, probeUrl, type ProbeAnswer } from './http-probe'
import type { CheckResult } from './run-conformance'
import type { BatchEntry } from '../batch/batch-wire'

/** Options of {@link checkBatch}. */
export interface BatchCheckOptions {
  /** The batch endpoint, e.g. `http://127.0.0.1:8080/batch`. */
  url: string
  /** The write route entries go to, on the batch URL's origin (path and query), e.g. `/visits`. */
  path: string
  /** The entries' method. Default POST. */
  method?: string
  /** An entry's body as JSON text (sent as that JSON value), or other text (sent as a string). Default `{}`. */
  body?: string
  /** Headers of the batch request: your auth (they apply to every entry). */
  headers?: Record<string, string>
  /** Each entry's own headers. Default `content-type: application/json`. */
  entryHeaders?: Record<string, string>
  /** Names among `headers` that carry auth: the batch is also sent without them and must not run. Without them, that check is skipped. */
  authHeaders?: readonly string[]
  /** A GET URL answering how many times the write was applied (as for the main kit). Without it, effects are not counted. */
  countUrl?: string
  /** A path on the same origin whose answer is not 2xx and applies nothing. Default a path no app has (a 404). */
  failPath?: string
  /** The entry limit the endpoint enforces. Default 50. */
  maxEntries?: number
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number
}

interface Result {
  key?: unknown
  status?: unknown
  body?: unknown
  headers?: Record<string, unknown>
  notAttempted?: unknown
}

interface Batch {
  answer: ProbeAnswer
  /** The results, when the answer is 200 JSON with a `results` array. */
  results?: Result[]
}

interface Context {
  options: Required<Omit<BatchCheckOptions, 'countUrl' | 'authHeaders'>> & Pick<BatchCheckOptions, 'countUrl' | 'authHeaders'>
  entry(lane: string, path?: string): BatchEntry
  send(entries: BatchEntry[] | string, headers?: Record<string, string>): Promise<Batch>
  count(): Promise<number | undefined>
}

const show = (answer: ProbeAnswer): string => (answer.status === 0 ? `no answer (${answer.error ?? 'error'})` : `${answer.status}`)
const is2xx = (status: unknown): boolean => typeof status === 'number' && status >= 200 && status < 300
const attempted = (result: Result): boolean => typeof result.status === 'number'
const showResult = (result: Result | undefined): string => (result === undefined ? 'missing' : attempted(result) ? String(result.status) : result.notAttempted === true ? 'not attempted' : 'neither status nor notAttempted')

/** Why the answer is not a batch answer for `entries`, or `undefined` when it is. */
function shapeProblem(batch: Batch, entries: BatchEntry[]): string | undefined {
  if (batch.answer.status === 404 || batch.answer.status === 405 || batch.answer.status === 501) {
    return `the batch URL answered ${batch.answer.status}: no batch endpoint (the SDK falls back to one request per entry)`
  }
  if (batch.answer.status !== 200) return `the batch answered ${show(batch.answer)}, not 200`
  if (batch.results === undefined) return 'the answer is not JSON { "results": [...] }'
  if (batch.results.length !== entries.length) return `${batch.results.length} results for ${entries.length} entries`
  const misplaced = batch.results.findIndex((result, index) => result.key !== entries[index].key)
  if (misplaced >= 0) return `result ${misplaced} has key ${String(batch.results[misplaced].key)}, not its entry's: results must be in the request's order`
  const bad = batch.results.findIndex((result) => !attempted(result) && result.notAttempted !== true)
  if (bad >= 0) return `result ${bad} has neither a status nor notAttempted: true`
  return undefined
}

/** `before + expected === after`, or a note that effects are not counted. */
async function effects(context: Context, before: number | undefined, expected: number): Promise<{ ok: boolean | undefined; note: string }> {
  if (before === undefined) return { ok: undefined, note: 'effects not counted (no --count-url)' }
  const after = await context.count()
  if (after === undefined) return { ok: false, note: 'the count URL gave no number' }
  return { ok: after - before === expected, note: `${after - before} effect(s), expected ${expected}` }
}

type Check = (context: Context, shared: { first?: { entries: BatchEntry[]; batch: Batch } }) => Promise<CheckResult[]>

const orderAndShape: Check = async (context, shared) => {
  const name = 'batch: one result per entry, in request order'
  const entries = [context.entry('A'), context.entry('B'), context.entry('A')]
  const before = await context.count()
  const batch = await context.send(entries)
  const counted = await effects(context, before, 3)
  const problem = shapeProblem(batch, entries)
  if (problem) return [{ name, status: 'fail', detail: problem }]
  const statuses = batch.results!.map(showResult).join(' ')
  if (!batch.results!.every((result) => is2xx(result.status))) return [{ name, status: 'fail', detail: `results ${statuses}: every entry should have succeeded; check --batch-path, --body and the auth headers` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: `results ${statuses}; ${counted.note}` }]
  shared.first = { entries, batch }
  return [{ name, status: 'pass', detail: `results ${statuses}; ${counted.note}` }]
}

const laneStop: Check = async (context) => {
  const name = "batch: a lane stops at its first non-2xx; other lanes go on"
  const entries = [context.entry('A'), context.entry('A', context.options.failPath), context.entry('A'), context.entry('B')]
  const before = await context.count()
  const batch = await context.send(entries)
  const counted = await effects(context, before, 2)
  const problem = shapeProblem(batch, entries)
  if (problem) return [{ name, status: 'fail', detail: problem }]
  const [ok, failed, after, other] = batch.results!
  const statuses = batch.results!.map(showResult).join(' ')
  if (!is2xx(ok.status) || !attempted(failed) || is2xx(failed.status)) return [{ name, status: 'fail', detail: `results ${statuses}: expected 2xx then a non-2xx for ${context.options.failPath}; check --batch-fail-path` }]
  if (attempted(after) || after.notAttempted !== true) return [{ name, status: 'fail', detail: `results ${statuses}: the entry after a non-2xx in its lane ran (${showResult(after)}); it must come back notAttempted: true` }]
  if (!is2xx(other.status)) return [{ name, status: 'fail', detail: `results ${statuses}: another lane's entry got ${showResult(other)}; lanes are independent` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: `results ${statuses}; ${counted.note}` }]
  return [{ name, status: 'pass', detail: `results ${statuses}; ${counted.note}` }]
}

const replay: Check = async (context, shared) => {
  const name = 'batch: the same batch again gets the same answers, no second effect'
  if (shared.first === undefined) return [{ name, status: 'skip', detail: 'the first batch did not succeed' }]
  const { entries, batch: first } = shared.first
  const before = await context.count()
  const again = await context.send(entries)
  const counted = await effects(context, before, 0)
  const problem = shapeProblem(again, entries)
  if (problem) return [{ name, status: 'fail', detail: problem }]
  const differs = again.results!.findIndex((result, index) => result.status !== first.results![index].status || JSON.stringify(result.body) !== JSON.stringify(first.results![index].body))
  if (differs >= 0) return [{ name, status: 'fail', detail: `entry ${differs}: first ${showResult(first.results![differs])}, again ${showResult(again.results![differs])} with another body: it ran again` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: counted.note }]
  const marked = again.results!.every((result) => result.headers?.['idempotent-replayed'] === 'true')
  return [
    { name, status: 'pass', detail: `same statuses and bodies; ${counted.note}` },
    { name: 'batch: replays are marked (Idempotent-Replayed: true)', status: marked ? 'pass' : 'warn', detail: marked ? 'present on every result' : 'absent: recommended, the SDK does not need it' },
  ]
}

const auth: Check = async (context) => {
  const name = "batch: the batch's auth applies to every entry"
  const names = (context.options.authHeaders ?? []).map((h) => h.toLowerCase())
  if (names.length === 0) return [{ name, status: 'skip', detail: 'give --batch-auth-header <name> (an auth header among --header) to check it' }]
  const without = Object.fromEntries(Object.entries(context.options.headers).filter(([header]) => !names.includes(header.toLowerCase())))
  const entries = [context.entry('A'), context.entry('B')]
  const before = await context.count()
  const batch = await context.send(entries, without)
  const counted = await effects(context, before, 0)
  const refused = (status: unknown): boolean => status === 401 || status === 403
  if (refused(batch.answer.status)) {
    return counted.ok === false ? [{ name, status: 'fail', detail: `${batch.answer.status}, but ${counted.note}` }] : [{ name, status: 'pass', detail: `without ${names.join(', ')} the batch got ${batch.answer.status}; ${counted.note}` }]
  }
  if (batch.results !== undefined && batch.results.length === entries.length && batch.results.every((result) => refused(result.status))) {
    return counted.ok === false ? [{ name, status: 'fail', detail: counted.note }] : [{ name, status: 'pass', detail: `without ${names.join(', ')} every entry got ${batch.results.map(showResult).join(' ')}; ${counted.note}` }]
  }
  const got = batch.results ? batch.results.map(showResult).join(' ') : show(batch.answer)
  return [{ name, status: 'fail', detail: `without ${names.join(', ')} the batch got ${got}; expected 401/403 for the batch or every entry${counted.ok === false ? `; ${counted.note}` : ''}` }]
}

const refusals: Check = async (context) => {
  const malformed = await context.send('{"entries": "not a list"}')
  const notJson = await context.send('{"entries": [')
  const over = Array.from({ length: context.options.maxEntries + 1 }, () => context.entry('A', context.options.failPath))
  const tooMany = await context.send(over)
  return [
    {
      name: 'batch: a malformed batch is 400',
      status: malformed.answer.status === 400 && notJson.answer.status === 400 ? 'pass' : 'fail',
      detail: `entries not a list: ${show(malformed.answer)}; not JSON: ${show(notJson.answer)}`,
    },
    {
      name: `batch: more than ${context.options.maxEntries} entries is 413`,
      status: tooMany.answer.status === 413 ? 'pass' : 'fail',
      detail: `${over.length} entries: ${show(tooMany.answer)}${tooMany.answer.status === 413 ? '' : ' (pass --batch-max-entries if your limit differs)'}`,
    },
  ]
}

/** The checks, in the order they run. */
const CHECKS: readonly Check[] = [orderAndShape, laneStop, replay, auth, refusals]

function resolve(options: BatchCheckOptions): Context['options'] {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('batch check options must be an object')
  const url = probeUrl(options.url)
  const path = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) throw new InvalidArgumentError(`${name} must be a path on the batch URL's origin, starting with "/"`)
    return value
  }
  const maxEntries = options.maxEntries ?? 50
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000) throw new InvalidArgumentError(`maxEntries must be an integer from 1 to 10000, got ${maxEntries}`)
  return {
    url: url.toString(),
    path: path(options.path, 'path'),
    method: (options.method ?? 'POST').toUpperCase(),
    body: options.body ?? '{}',
    headers: options.headers ?? {},
    entryHeaders: options.entryHeaders ?? { 'content-type': 'application/json' },
    authHeaders: options.authHeaders,
    countUrl: options.countUrl,
    failPath: path(options.failPath ?? '/__miniprogram-offline-conformance__/missing', 'failPath'),
    maxEntries,
    timeoutMs: options.timeoutMs ?? 10_000,
  }
}

/** An entry's body: the JSON value of `text`, or the text itself. */
function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * Checks a live batch endpoint: results in order, a lane stopping at its
 * first non-2xx with later entries not attempted, a replayed batch with the
 * same answers and (given `countUrl`) no second effect, the batch's auth
 * applying to every entry, and the 400/413 refusals.
 *
 * @example
 * ```ts
 * const results = await checkBatch({ url: 'http://127.0.0.1:8080/batch', path: '/visits', headers: { authorization: 'Bearer t' }, authHeaders: ['authorization'] })
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export async function checkBatch(options: BatchCheckOptions): Promise<CheckResult[]> {
  const resolved = resolve(options)
  const body = bodyOf(resolved.body)
  const context: Context = {
    options: resolved,
    entry: (lane, path = resolved.path) => ({ key: randomUUID(), lane, method: resolved.method, path, headers: resolved.entryHeaders, body }),
    async send(entries, headers = resolved.headers) {
      const text = typeof entries === 'string' ? entries : JSON.stringify({ entries })
      const answer = await probe({ url: resolved.url, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: text, timeoutMs: resolved.timeoutMs })
      let results: Result[] | undefined
      if (answer.status === 200) {
        try {
          const parsed = JSON.parse(answer.body.toString('utf8')) as { results?: unknown }
          if (Array.isArray(parsed.results) && parsed.results.every((r) => typeof r === 'object' && r !== null)) results = parsed.results as Result[]
        } catch {
          // not JSON: shapeProblem says so
        }
      }
      return { answer, results }
    },
    async count() {
      if (resolved.countUrl === undefined) return undefined
      const answer = await probe({ url: resolved.countUrl, method: 'GET', headers: resolved.headers, timeoutMs: resolved.timeoutMs })
      return parseCount(answer.body.toString('utf8'))
    },
  }
  const shared: Parameters<Check>[1] = {}
  const results: CheckResult[] = []
  for (const check of CHECKS) results.push(...(await check(context, shared)))
  return results
}
