/**
 * A real loopback server that speaks the batch protocol
 * (docs/batch-protocol.md) and the plain per-entry one, with one memory of
 * idempotency keys for both: a key applied once is answered from memory
 * afterwards. Scripted answers per path, a latency per round trip, and
 * counters of round trips and applications, for the batch client's tests
 * and bench.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'
import type { BatchEntry } from 'miniprogram-offline/server'

/** One application of an entry's write, in the order the server made them. */
export interface Applied {
  key: string
  lane: string
  path: string
  body: unknown
  /** Whether it came in a batch. */
  batched: boolean
  authorization?: string
}

export interface BatchServerOptions {
  /** Milliseconds every round trip (batch or single) waits. Default 0. */
  latencyMs?: number
  /** The batch endpoint answers this status instead (e.g. 404: no such endpoint). */
  batchStatus?: number
}

/** Scripted status for the next applications of a path; undefined: 201. */
export type PathScript = (path: string, body: unknown) => number | undefined

export interface BatchServer {
  readonly url: string
  readonly applied: readonly Applied[]
  /** Round trips: batch requests (answered or not) and single requests. */
  readonly batches: number
  readonly singles: number
  /** Entries per batch request, in order. */
  readonly batchSizes: readonly number[]
  /** Keys that arrived more than once (in batches or singly). */
  readonly repeatedKeys: number
  script(script: PathScript | undefined): void
  setBatchStatus(status: number | undefined): void
  /** Batch requests whose `Authorization` is not `value` get a 401 (undefined: any is fine). */
  requireAuthorization(value: string | undefined): void
  close(): Promise<void>
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function readJson(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(text === '' ? undefined : JSON.parse(text))
      } catch {
        resolve(text)
      }
    })
    request.on('error', reject)
  })
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

export async function startBatchServer(options: BatchServerOptions = {}): Promise<BatchServer> {
  const applied: Applied[] = []
  const answers = new Map<string, { status: number; body: unknown }>()
  const seen = new Set<string>()
  const batchSizes: number[] = []
  let singles = 0
  let repeatedKeys = 0
  let script: PathScript | undefined
  let batchStatus = options.batchStatus
  let requiredAuthorization: string | undefined

  /** Applies one entry, or answers it from memory; 2xx answers are remembered, others are not (the retry runs again). */
  const apply = (entry: BatchEntry, batched: boolean, authorization?: string): { status: number; body: unknown } => {
    if (seen.has(entry.key)) repeatedKeys += 1
    seen.add(entry.key)
    const remembered = answers.get(entry.key)
    if (remembered) return remembered
    const status = script?.(entry.path, entry.body) ?? 201
    const answer = { status, body: { ok: status < 300, key: entry.key } }
    if (status >= 200 && status < 300) {
      applied.push({ key: entry.key, lane: entry.lane, path: entry.path, body: entry.body, batched, authorization })
      answers.set(entry.key, answer)
    }
    return answer
  }

  const handleBatch = (body: unknown, authorization: string | undefined): unknown => {
    const entries = (body as { entries: BatchEntry[] }).entries
    batchSizes.push(entries.length)
    const stoppedLanes = new Set<string>()
    const results = entries.map((entry) => {
      if (stoppedLanes.has(entry.lane)) return { key: entry.key, notAttempted: true }
      const answer = apply(entry, true, authorization)
      if (answer.status < 200 || answer.status >= 300) stoppedLanes.add(entry.lane)
      return { key: entry.key, status: answer.status, headers: { 'content-type': 'application/json' }, body: answer.body }
    })
    return { results }
  }

  const server = http.createServer((request, response) => {
    void (async () => {
      const body = await readJson(request)
      await sleep(options.latencyMs ?? 0)
      const path = request.url ?? '/'
      const authorization = request.headers.authorization
      if (path === '/batch') {
        if (requiredAuthorization !== undefined && authorization !== requiredAuthorization) {
          batchSizes.push((body as { entries: unknown[] }).entries.length)
          return send(response, 401, { error: 'who are you' })
        }
        if (batchStatus === undefined) return send(response, 200, handleBatch(body, authorization))
        batchSizes.push((body as { entries: unknown[] }).entries.length)
        return send(response, batchStatus, { error: 'no batch here' })
      }
      singles += 1
      const key = String(request.headers['idempotency-key'] ?? '')
      const answer = apply({ key, lane: '?', method: request.method ?? 'POST', path, headers: {}, body }, false, authorization)
      send(response, answer.status, answer.body)
    })()
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    applied,
    get batches() {
      return batchSizes.length
    },
    get singles() {
      return singles
    },
    batchSizes,
    get repeatedKeys() {
      return repeatedKeys
    },
    script: (next) => (script = next),
    setBatchStatus: (status) => (batchStatus = status),
    requireAuthorization: (value) => (requiredAuthorization = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
