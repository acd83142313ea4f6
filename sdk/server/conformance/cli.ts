/**
 * `npx miniprogram-offline conformance <url> [options]`: the conformance
 * kit from a shell. Prints a pass/fail table; exits 1 when a check fails,
 * 2 on bad arguments.
 */
import { InvalidArgumentError } from '../../errors'
import { checkBatch, type BatchCheckOptions } from './batch-check'
import { formatReport, runConformance, type ConformanceOptions } from './run-conformance'

/** The usage text. */
export const USAGE = `usage: miniprogram-offline conformance <url> [options]

Checks that the write endpoint at <url> honours the Idempotency-Key protocol
the miniprogram-offline SDK relies on.

options:
  --method <M>            the write's method (default POST)
  --body <text>           the request body (default {})
  --header "Name: value"  an extra request header (repeatable; default content-type: application/json)
  --count-url <url>       a GET answering how many times the write was applied
  --fail-header "N: v"    a header that makes the endpoint answer 5xx (for the 5xx check)
  --key-header <name>     the idempotency header (default Idempotency-Key)
  --concurrency <n>       duplicates sent at once (default 8)
  --timeout <ms>          per request (default 10000)

batch endpoint (docs/batch-protocol.md), checked too when --batch-url is given:
  --batch-url <url>             the batch endpoint
  --batch-path <path>           the write route its entries go to (default <url>'s path)
  --batch-auth-header <name>    a header among --header that carries auth (repeatable)
  --batch-fail-path <path>      a route that answers non-2xx and applies nothing (default: one no app has)
  --batch-max-entries <n>       the entry limit the endpoint enforces (default 50)`

function header(text: string): [string, string] {
  const at = text.indexOf(':')
  if (at <= 0) throw new InvalidArgumentError(`a header must look like "Name: value", got ${text}`)
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()]
}

/** Where the batch checks go, from the `--batch-*` options. */
interface BatchArgs {
  url?: string
  path?: string
  authHeaders: string[]
  failPath?: string
  maxEntries?: number
}

/** The path (and query) of an absolute URL. */
function pathOf(url: string): string {
  const match = /^https?:\/\/[^/?#]+([^#]*)/i.exec(url)
  return match && match[1] !== '' ? match[1] : '/'
}

/** The batch checks' options, when `--batch-url` was given. */
function batchOptions(batchArgs: BatchArgs, main: ConformanceOptions): BatchCheckOptions | undefined {
  if (batchArgs.url === undefined) return undefined
  const { 'content-type': contentType, ...headers } = main.headers ?? {}
  return {
    url: batchArgs.url,
    path: batchArgs.path ?? pathOf(main.url),
    method: main.method,
    body: main.body,
    headers,
    entryHeaders: contentType === undefined ? undefined : { 'content-type': contentType },
    authHeaders: batchArgs.authHeaders.length > 0 ? batchArgs.authHeaders : undefined,
    countUrl: main.countUrl,
    failPath: batchArgs.failPath,
    maxEntries: batchArgs.maxEntries,
    timeoutMs: main.timeoutMs,
  }
}

/** Reads the arguments (after the program name; a leading `conformance` is optional). */
export function parseArgs(argv: readonly string[]): ConformanceOptions & { batch?: BatchCheckOptions } {
  const args = argv[0] === 'conformance' ? argv.slice(1) : [...argv]
  let url: string | undefined
  const headers: Record<string, string> = {}
  const options: Partial<ConformanceOptions> = {}
  const batchArgs: BatchArgs = { authHeaders: [] }
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]
    const value = (): string => {
      const next = args[++i]
      if (next === undefined) throw new InvalidArgumentError(`${arg} needs a value`)
      return next
    }
    switch (arg) {
      case '--method': options.method = value(); break
      case '--body': options.body = value(); break
      case '--header': { const [name, v] = header(value()); headers[name.toLowerCase()] = v; break }
      case '--count-url': options.countUrl = value(); break
      case '--fail-header': options.failHeader = header(value()); break
      case '--key-header': options.keyHeader = value(); break
      case '--concurrency': options.concurrency = Number(value()); break
      case '--timeout': options.timeoutMs = Number(value()); break
      case '--batch-url': batchArgs.url = value(); break
      case '--batch-path': batchArgs.path = value(); break
      case '--batch-auth-header': batchArgs.authHeaders.push(value().toLowerCase()); break
      case '--batch-fail-path': batchArgs.failPath = value(); break
      case '--batch-max-entries': batchArgs.maxEntries = Number(value()); break
      default:
        if (arg.startsWith('--')) throw new InvalidArgumentError(`unknown option ${arg}`)
        if (url !== undefined) throw new InvalidArgumentError(`one url only, got ${url} and ${arg}`)
        url = arg
    }
  }
  if (url === undefined) throw new InvalidArgumentError('the url is missing')
  const parsed: ConformanceOptions = { ...options, url, headers: { 'content-type': 'application/json', ...headers } }
  return { ...parsed, batch: batchOptions(batchArgs, parsed) }
}

/**
 * Runs the kit. @returns the exit code: 0 all passed (warnings and skips
 * allowed), 1 a check failed, 2 bad arguments.
 */
export async function main(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  try {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      write(`${USAGE}\n`)
      return argv.length === 0 ? 2 : 0
    }
    const { batch, ...options } = parseArgs(argv)
    const report = await runConformance(options)
    if (batch) {
      const results = [...report.results, ...(await checkBatch(batch))]
      report.results = results
      report.ok = results.every((result) => result.status !== 'fail')
    }
    write(`${formatReport(report)}\n`)
    return report.ok ? 0 : 1
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error
    write(`${error.message}\n\n${USAGE}\n`)
    return 2
  }
}

/** True when this file is the program itself (ts-node, or the built bin), not an import. */
function isMainModule(): boolean {
  return typeof require !== 'undefined' && typeof module !== 'undefined' && (require as { main?: unknown }).main === module
}

if (isMainModule()) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
      process.exitCode = 2
    },
  )
}
