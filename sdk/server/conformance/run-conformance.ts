/**
 * The conformance kit: checks any backend (Java, Go, PHP, Node, ...)
 * against the Idempotency-Key protocol the SDK relies on, over HTTP only.
 * Every check uses fresh keys, so a run leaves the server as after a few
 * ordinary writes.
 */
import { randomUUID } from 'crypto'
import { InvalidArgumentError } from '../../errors'
import { parseCount, probe, probeUrl, type ProbeAnswer } from './http-probe'
import { sdkVerdict } from './sdk-verdict'

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The write endpoint, e.g. `http://127.0.0.1:8080/visits`. */
  url: string
  /** Default POST. */
  method?: string
  /** The request body; default `{}`. Sent as is; a JSON object body gets an extra field for the 422 check. */
  body?: string
  /** Extra request headers (auth, content type). Default `content-type: application/json`. */
  headers?: Record<string, string>
  /** A GET URL answering how many times the write was applied (a number, `{ count }`, or an array). Without it, effects are not counted. */
  countUrl?: string
  /** A header that makes the endpoint answer 5xx without applying (`X-Fail: 1`); without it the 5xx check is skipped. */
  failHeader?: [string, string]
  /** The idempotency header. Default `Idempotency-Key`. */
  keyHeader?: string
  /** Duplicates sent at once in the concurrency check. Default 8. */
  concurrency?: number
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number
}

/** One check's verdict: `warn` is advice (not a failure), `skip` means it could not be checked. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip'

/** One row of the report. */
export interface CheckResult {
  name: string
  status: CheckStatus
  detail: string
}

/** What a run found. */
export interface ConformanceReport {
  results: CheckResult[]
  /** True when no check failed. */
  ok: boolean
}

interface Context {
  options: Required<Omit<ConformanceOptions, 'countUrl' | 'failHeader' | 'body'>> & Pick<ConformanceOptions, 'countUrl' | 'failHeader'> & { body: string }
  send(key: string | undefined, extra?: { body?: string; headers?: Record<string, string> }): Promise<ProbeAnswer>
  count(): Promise<number | undefined>
}

type Check = (context: Context) => Promise<CheckResult[]>

const show = (answer: ProbeAnswer): string => (answer.status === 0 ? `no answer (${answer.error ?? 'error'})` : `${answer.status}`)
const is2xx = (answer: ProbeAnswer): boolean => answer.status >= 200 && answer.status < 300
const sameAnswer = (a: ProbeAnswer, b: ProbeAnswer): boolean => a.status === b.status && a.body.equals(b.body)

/** Another payload for the same key: an extra JSON field, or one more byte. */
function otherBody(body: string): string {
  try {
    const value = JSON.parse(body) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return JSON.stringify({ ...value, conformanceOther: randomUUID() })
  } catch {
    // not JSON: change the bytes instead
  }
  return `${body} `
}

/** `before + expected === after`, or a skip note when effects cannot be counted. */
async function effects(context: Context, before: number | undefined, expected: number): Promise<{ ok: boolean | undefined; note: string }> {
  if (before === undefined) return { ok: undefined, note: 'effects not counted (no --count-url)' }
  const after = await context.count()
  if (after === undefined) return { ok: false, note: 'the count URL gave no number' }
  return { ok: after - before === expected, note: `${after - before} effect(s), expected ${expected}` }
}

const replay: Check = async (context) => {
  const key = randomUUID()
  const before = await context.count()
  const first = await context.send(key)
  if (!is2xx(first)) return [{ name: 'replay: same answer, no second effect', status: 'fail', detail: `the first attempt got ${show(first)}, not 2xx: check --url, --body and --header` }]
  const again = await context.send(key)
  const counted = await effects(context, before, 1)
  const results: CheckResult[] = []
  if (!sameAnswer(first, again)) {
    results.push({ name: 'replay: same answer, no second effect', status: 'fail', detail: `first ${first.status} ${first.body.length} B, repeat ${show(again)} ${again.body.length} B: not the same answer` })
  } else if (counted.ok === false) {
    results.push({ name: 'replay: same answer, no second effect', status: 'fail', detail: counted.note })
  } else {
    results.push({ name: 'replay: same answer, no second effect', status: 'pass', detail: `${first.status}, ${first.body.length} B, byte-identical; ${counted.note}` })
  }
  const marked = again.headers['idempotent-replayed'] === 'true'
  results.push({ name: 'replay is marked (Idempotent-Replayed: true)', status: marked ? 'pass' : 'warn', detail: marked ? 'present' : 'absent: recommended, the SDK does not need it' })
  return results
}

const concurrent: Check = async (context) => {
  const name = `${context.options.concurrency} concurrent duplicates: one effect`
  const key = randomUUID()
  const before = await context.count()
  const answers = await Promise.all(Array.from({ length: context.options.concurrency }, () => context.send(key)))
  const settled = await context.send(key)
  const counted = await effects(context, before, 1)
  const statuses = answers.map(show).join(' ')
  const wrong = answers.filter((a) => !is2xx(a) && sdkVerdict(a.status) !== 'retry')
  if (wrong.length > 0) return [{ name, status: 'fail', detail: `answers ${statuses}: ${wrong.map(show).join(', ')} would make the SDK give up on a write that succeeded` }]
  const done = answers.filter(is2xx)
  if (!is2xx(settled) || done.some((a) => !sameAnswer(a, settled))) return [{ name, status: 'fail', detail: `answers ${statuses}: the 2xx answers differ (more than one ran)` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: `answers ${statuses}; ${counted.note}` }]
  return [{ name, status: 'pass', detail: `answers ${statuses}; ${counted.note}` }]
}

const inProgress: Check = async (context) => {
  const name = 'duplicate while in progress: 409'
  const key = randomUUID()
  let firstAnswer: ProbeAnswer | undefined
  const first = context.send(key).then((answer) => (firstAnswer = answer))
  // Every duplicate here was sent before the first was answered; those the server saw after the
  // first finished are replays, and only the others must be 409.
  const overlapping: ProbeAnswer[] = []
  for (let i = 0; i < 50 && firstAnswer === undefined; i += 1) overlapping.push(await context.send(key))
  const original = await first
  const during = overlapping.filter((a) => !(is2xx(a) && sameAnswer(a, original)))
  if (during.length === 0) return [{ name, status: 'skip', detail: `the first answered (${show(original)}) before a duplicate could overlap it; slow the endpoint down (test latency) to check` }]
  const not409 = during.filter((a) => a.status !== 409)
  if (not409.length > 0) {
    const verdicts = not409.map((a) => `${show(a)} (SDK: ${sdkVerdict(a.status)})`).join(', ')
    return [{ name, status: 'fail', detail: `duplicates during the first got ${verdicts}; expected 409` }]
  }
  const retryAfter = during.every((a) => a.headers['retry-after'] !== undefined)
  return [
    { name, status: 'pass', detail: `${during.length} duplicate(s) got 409 while the first ran` },
    { name: '409 carries Retry-After', status: retryAfter ? 'pass' : 'warn', detail: retryAfter ? `Retry-After: ${during[0].headers['retry-after']}` : 'absent: recommended, the SDK then backs off on its own' },
  ]
}

const mismatch: Check = async (context) => {
  const name = 'same key, another payload: 422'
  const key = randomUUID()
  const before = await context.count()
  const first = await context.send(key)
  const other = await context.send(key, { body: otherBody(context.options.body) })
  const counted = await effects(context, before, 1)
  if (!is2xx(first)) return [{ name, status: 'fail', detail: `the first attempt got ${show(first)}` }]
  if (other.status !== 422) return [{ name, status: 'fail', detail: `another payload under the same key got ${show(other)}${is2xx(other) ? (sameAnswer(first, other) ? ' (the first answer, replayed)' : ' (applied it)') : ''}` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: counted.note }]
  return [{ name, status: 'pass', detail: `422; ${counted.note}` }]
}

const noCached5xx: Check = async (context) => {
  const name = '5xx is not cached: the retry runs'
  const fail = context.options.failHeader
  if (fail === undefined) return [{ name, status: 'skip', detail: 'give --fail-header "Name: value" that makes the endpoint answer 5xx' }]
  const key = randomUUID()
  const before = await context.count()
  const failed = await context.send(key, { headers: { [fail[0]]: fail[1] } })
  if (failed.status < 500) return [{ name, status: 'fail', detail: `with ${fail[0]} the endpoint answered ${show(failed)}, not 5xx` }]
  const retry = await context.send(key)
  const counted = await effects(context, before, 1)
  if (!is2xx(retry)) return [{ name, status: 'fail', detail: `the retry after ${failed.status} got ${show(retry)}: the 5xx was stored` }]
  if (retry.headers['idempotent-replayed'] === 'true' || counted.ok === false) return [{ name, status: 'fail', detail: `the retry was not run afresh; ${counted.note}` }]
  return [{ name, status: 'pass', detail: `${failed.status}, then ${retry.status}; ${counted.note}` }]
}

const sdkKeys: Check = async (context) => {
  const name = "the SDK's key forms: UUID, and <key>:<n> per task step"
  const key = randomUUID()
  const before = await context.count()
  const steps = [await context.send(`${key}:0`), await context.send(`${key}:1`)]
  const counted = await effects(context, before, 2)
  const bad = steps.filter((a) => !is2xx(a) || a.headers['idempotent-replayed'] === 'true')
  if (bad.length > 0) return [{ name, status: 'fail', detail: `task-step keys got ${steps.map(show).join(', ')}; each step must run as its own request` }]
  if (counted.ok === false) return [{ name, status: 'fail', detail: counted.note }]
  const keyless = await context.send(undefined)
  const keylessOk = is2xx(keyless) || keyless.status === 400
  return [
    { name, status: 'pass', detail: `two steps, two answers; ${counted.note}` },
    { name: 'no key: pass through or 400', status: keylessOk ? 'pass' : 'fail', detail: `got ${show(keyless)}` },
  ]
}

/** The checks, in the order they run. */
const CHECKS: readonly Check[] = [replay, concurrent, inProgress, mismatch, noCached5xx, sdkKeys]

function resolve(options: ConformanceOptions): Context['options'] {
  const url = probeUrl(options.url)
  const concurrency = options.concurrency ?? 8
  if (!Number.isInteger(concurrency) || concurrency < 2 || concurrency > 100) throw new InvalidArgumentError(`concurrency must be an integer from 2 to 100, got ${concurrency}`)
  return {
    url: url.toString(),
    method: (options.method ?? 'POST').toUpperCase(),
    body: options.body ?? '{}',
    headers: options.headers ?? { 'content-type': 'application/json' },
    countUrl: options.countUrl,
    failHeader: options.failHeader,
    keyHeader: options.keyHeader ?? 'Idempotency-Key',
    concurrency,
    timeoutMs: options.timeoutMs ?? 10_000,
  }
}

/**
 * Runs every check against a live endpoint.
 *
 * @example
 * ```ts
 * const report = await runConformance({ url: 'http://127.0.0.1:8080/visits', body: '{"customerId":"c01"}', countUrl: 'http://127.0.0.1:8080/admin/count' })
 * if (!report.ok) console.log(formatReport(report))
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const resolved = resolve(options)
  const context: Context = {
    options: resolved,
    send: (key, extra = {}) =>
      probe({
        url: resolved.url,
        method: resolved.method,
        headers: { ...resolved.headers, ...(key === undefined ? {} : { [resolved.keyHeader]: key }), ...extra.headers },
        body: extra.body ?? resolved.body,
        timeoutMs: resolved.timeoutMs,
      }),
    async count() {
      if (resolved.countUrl === undefined) return undefined
      const answer = await probe({ url: resolved.countUrl, method: 'GET', headers: resolved.headers, timeoutMs: resolved.timeoutMs })
      return parseCount(answer.body.toString('utf8'))
    },
  }
  const results: CheckResult[] = []
  for (const check of CHECKS) results.push(...(await check(context)))
  return { results, ok: results.every((result) => result.status !== 'fail') }
}

/** The report as a plain-text table. */
export function formatReport(report: ConformanceReport): string {
  const width = Math.max(...report.results.map((r) => r.name.length))
  const lines = report.results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`)
  const failed = report.results.filter((r) => r.status === 'fail').length
  lines.push('', report.ok ? `conformance: passed (${report.results.length} checks)` : `conformance: ${failed} check(s) FAILED`)
  return lines.join('\n')
}
