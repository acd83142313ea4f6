/**
 * A real HTTP server on 127.0.0.1 for tests: records every request (with
 * JSON, text or multipart bodies decoded), answers with scripted or default
 * responses, can be slow or drop connections, measures concurrency, and
 * honours `Idempotency-Key` the way an exactly-once backend should.
 *
 * @example
 * ```ts
 * const server = await startTestServer()
 * server.respondWith((req) => (req.path === '/boom' ? { status: 500, body: { error: 'boom' } } : undefined))
 * // ... exercise the SDK against `${server.url}/orders` ...
 * expect(server.duplicates).toBe(0)
 * await server.close()
 * ```
 *
 * Paths starting with `/hang` are recorded and never answered (nor applied):
 * a host that accepts the connection and then says nothing. `hold()` keeps
 * chosen requests on the wire until the test releases them.
 */
import busboy from 'busboy'
import type { BatchEntry } from 'miniprogram-offline/server'
import * as http from 'http'
import type { AddressInfo } from 'net'

/** A file part of a multipart request. */
export interface UploadedFile {
  /** The form field name. */
  field: string
  filename: string
  mimeType: string
  bytes: Buffer
}

/** A decoded `multipart/form-data` body. */
export interface MultipartPayload {
  fields: Record<string, string>
  files: UploadedFile[]
}

/** One request as the server received it. */
export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number
  method: string
  /** Path without the query string. */
  path: string
  query: Record<string, string>
  /** Lower-case keys, as Node reports them. */
  headers: http.IncomingHttpHeaders
  rawBody: Buffer
  /** JSON when the body parses as JSON, the text otherwise, `undefined` when empty or multipart. */
  body: unknown
  multipart?: MultipartPayload
  /** The `Idempotency-Key` header, if any. */
  idempotencyKey?: string
  /** True when the server dropped the connection instead of answering. */
  dropped: boolean
  /** True when an earlier request with the same idempotency key had already been applied. */
  duplicate: boolean
}

/** A scripted answer. `body` objects are sent as JSON, strings as text, Buffers as bytes. */
export interface ScriptedResponse {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** Extra wait before answering, on top of the server latency. */
  delayMs?: number
  /** Apply the request, then destroy the connection without answering (the answer is lost). */
  drop?: boolean
}

/** Decides the answer to an applied request; `undefined` falls back to the default routes. */
export type Responder = (request: RecordedRequest) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>

/** When {@link TestServer.dropNextConnections} drops: before the request is applied, or after (answer lost). */
export type DropMode = 'before-apply' | 'after-apply'

/**
 * Requests kept on the wire by {@link TestServer.hold}: received in full and
 * recorded, neither applied nor answered until `release()`. A released
 * request is applied even if its client has gone meanwhile (the server got
 * it; only the answer is lost), which is what a kill mid-request looks like.
 */
export interface RequestHold {
  /** The requests held so far, in arrival order (released ones included). */
  readonly held: readonly RecordedRequest[]
  /** Resolves once at least `count` requests have been held. */
  waitForHeld(count?: number, timeoutMs?: number): Promise<void>
  /** Lets every held request go on and stops holding new ones. */
  release(): void
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Milliseconds every answer waits. Default 0. */
  latencyMs?: number
}

/** A running test server; close it in `afterEach`. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[]
  /** Requests the server applied: no duplicates, nothing dropped before applying, no "not done" answers (401, 408, 409, 429, 5xx). */
  readonly applied: readonly RecordedRequest[]
  /** Requests being handled right now. */
  readonly inFlight: number
  /** Most requests handled at once since start (or `reset()`). */
  readonly maxInFlight: number
  /** How many requests arrived per `Idempotency-Key` (duplicates included). */
  readonly deliveries: ReadonlyMap<string, number>
  /** Distinct idempotency keys seen. */
  readonly uniqueDeliveries: number
  /** Requests that repeated an idempotency key already seen. */
  readonly duplicates: number
  /**
   * Most requests carrying one `Idempotency-Key` on the wire at once (a
   * request is on the wire from its first byte until its connection closes).
   * Above 1 means a client sent an entry again while it was still in flight.
   */
  readonly maxInFlightPerKey: number
  /**
   * Holds the requests `match` accepts (all by default) on the wire until the
   * hold is released; see {@link RequestHold}.
   */
  hold(match?: (request: RecordedRequest) => boolean): RequestHold
  setLatency(ms: number): void
  /** Scripts answers; `undefined` restores the default routes. */
  respondWith(responder: Responder | undefined): void
  /** The next `count` requests lose their connection without an answer. */
  dropNextConnections(count: number, mode?: DropMode): void
  /** Serves `bytes` at `path` (e.g. `/static/a.png` or `/files/x`). */
  serveFile(path: string, bytes: Uint8Array | string, contentType?: string): void
  /** Resolves once at least `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>
  /** Forgets recorded requests, counters and idempotency memory (served files and scripts stay). */
  reset(): void
  /** Stops listening and destroys open connections. */
  close(): Promise<void>
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: Buffer
  drop: boolean
  delayMs: number
}

interface ServedFile {
  bytes: Buffer
  contentType: string
}

function parseQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {}
  url.searchParams.forEach((value, key) => (query[key] = value))
  return query
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function parseMultipart(headers: http.IncomingHttpHeaders, raw: Buffer): Promise<MultipartPayload> {
  return new Promise((resolve, reject) => {
    const payload: MultipartPayload = { fields: {}, files: [] }
    const parser = busboy({ headers, defParamCharset: 'utf8' })
    parser.on('field', (name, value) => (payload.fields[name] = value))
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () =>
        payload.files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.concat(chunks) }),
      )
    })
    parser.on('close', () => resolve(payload))
    parser.on('error', reject)
    parser.end(raw)
  })
}

/** The path of the batch endpoint every test server has. */
export const BATCH_PATH = '/batch'

function pickHeaders(headers: http.IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of names) {
    const value = headers[name]
    if (typeof value === 'string') picked[name] = value
  }
  return picked
}

function decodeBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  const text = raw.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function toAnswer(response: ScriptedResponse): Answer {
  const headers = { ...response.headers }
  let body: Buffer
  if (response.body === undefined) body = Buffer.alloc(0)
  else if (Buffer.isBuffer(response.body)) body = response.body
  else if (response.body instanceof Uint8Array) body = Buffer.from(response.body)
  else if (typeof response.body === 'string') {
    body = Buffer.from(response.body, 'utf8')
    headers['content-type'] ??= 'text/plain; charset=utf-8'
  } else {
    body = Buffer.from(JSON.stringify(response.body), 'utf8')
    headers['content-type'] ??= 'application/json'
  }
  return { status: response.status ?? 200, headers, body, drop: response.drop ?? false, delayMs: response.delayMs ?? 0 }
}

/** One {@link RequestHold}: the held requests, and the gates they wait behind. */
class HoldState implements RequestHold {
  active = true
  readonly held: RecordedRequest[] = []
  private gates: Array<() => void> = []
  private waiters: Array<() => void> = []

  constructor(readonly match: (request: RecordedRequest) => boolean) {}

  /** Resolves when the hold is released. */
  keep(request: RecordedRequest): Promise<void> {
    this.held.push(request)
    for (const waiter of [...this.waiters]) waiter()
    return new Promise((resolve) => this.gates.push(resolve))
  }

  waitForHeld(count = 1, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.held.length >= count) return resolve()
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check)
        reject(new Error(`test server: ${this.held.length} of ${count} requests held within ${timeoutMs} ms`))
      }, timeoutMs)
      const check = (): void => {
        if (this.held.length < count) return
        clearTimeout(timer)
        this.waiters = this.waiters.filter((waiter) => waiter !== check)
        resolve()
      }
      this.waiters.push(check)
    })
  }

  release(): void {
    this.active = false
    const gates = this.gates
    this.gates = []
    for (const open of gates) open()
  }
}

/** Starts a {@link TestServer} on a free port of 127.0.0.1. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const requests: RecordedRequest[] = []
  const applied: RecordedRequest[] = []
  const deliveries = new Map<string, number>()
  const answersByKey = new Map<string, Promise<Answer>>()
  const served = new Map<string, ServedFile>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const waiters = new Set<() => void>()
  let latencyMs = options.latencyMs ?? 0
  let responder: Responder | undefined
  let drops: DropMode[] = []
  let inFlight = 0
  let maxInFlight = 0
  let uploadCount = 0
  let appliedCount = 0
  const keysOnWire = new Map<string, number>()
  let maxInFlightPerKey = 0
  const holds: HoldState[] = []

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer)
            resolve()
          }, ms)
          timers.add(timer)
        })

  /** The built-in routes: uploads, served files, and an echo for everything else. */
  function defaultAnswer(request: RecordedRequest): ScriptedResponse {
    if (request.path === '/upload' && request.multipart) {
      const file = request.multipart.files[0]
      uploadCount += 1
      const url = `/files/upload-${uploadCount}`
      if (file) served.set(url, { bytes: file.bytes, contentType: file.mimeType })
      return { body: { url, size: file?.bytes.length ?? 0, fields: request.multipart.fields } }
    }
    const file = served.get(request.path)
    if (file) return { body: file.bytes, headers: { 'content-type': file.contentType } }
    if (request.path.startsWith('/files/') || request.path.startsWith('/static/')) {
      return { status: 404, body: { error: 'not found', path: request.path } }
    }
    return { body: { ok: true, id: appliedCount, path: request.path } }
  }

  function isNotDone(status: number): boolean {
    return status === 401 || status === 408 || status === 409 || status === 429 || status >= 500
  }

  async function apply(request: RecordedRequest): Promise<Answer> {
    applied.push(request)
    appliedCount += 1
    const scripted = responder ? await responder(request) : undefined
    return toAnswer(scripted ?? defaultAnswer(request))
  }

  /**
   * Applies once per idempotency key; a repeat gets the first answer without
   * being applied again. An answer that says "not done" (401, 408, 409, 429,
   * 5xx) is not remembered and the request does not count as applied, so the
   * client's retry is applied afresh, as a real exactly-once backend does.
   */
  function answerFor(request: RecordedRequest): Promise<Answer> {
    const key = request.idempotencyKey
    if (key !== undefined) deliveries.set(key, (deliveries.get(key) ?? 0) + 1)
    const earlier = key === undefined ? undefined : answersByKey.get(key)
    if (earlier) {
      request.duplicate = true
      return earlier
    }
    const answer = apply(request).then((settled) => {
      if (!isNotDone(settled.status)) return settled
      applied.splice(applied.indexOf(request), 1)
      if (key !== undefined) answersByKey.delete(key)
      return settled
    })
    if (key !== undefined) answersByKey.set(key, answer)
    return answer
  }

  async function record(incoming: http.IncomingMessage): Promise<RecordedRequest> {
    const rawBody = await readBody(incoming)
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1')
    const isMultipart = /^multipart\/form-data/i.test(incoming.headers['content-type'] ?? '')
    const key = incoming.headers['idempotency-key']
    const multipart = isMultipart ? await parseMultipart(incoming.headers, rawBody) : undefined
    const request: RecordedRequest = {
      seq: requests.length + 1,
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: parseQuery(url),
      headers: incoming.headers,
      rawBody,
      body: isMultipart ? undefined : decodeBody(rawBody),
      multipart,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      dropped: false,
      duplicate: false,
    }
    requests.push(request)
    for (const waiter of [...waiters]) waiter()
    return request
  }

  async function handle(incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> {
    if (incoming.method === 'POST' && incoming.url === BATCH_PATH) return answerBatch(incoming, outgoing)
    const request = await record(incoming)
    // A host that never answers: the client's own timeout is its only way out.
    if (request.path.startsWith('/hang')) return
    const drop = drops.shift()
    if (drop === 'before-apply') {
      request.dropped = true
      incoming.socket.destroy()
      return
    }
    const hold = holds.find((candidate) => candidate.active && candidate.match(request))
    if (hold) await hold.keep(request)
    const answer = await answerFor(request)
    await sleep(latencyMs + answer.delayMs)
    if (drop === 'after-apply' || answer.drop) {
      request.dropped = true
      incoming.socket.destroy()
      return
    }
    // The client went away while the request was held: applied, the answer has no one to go to.
    if (outgoing.destroyed || incoming.socket.destroyed) return
    outgoing.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) })
    outgoing.end(answer.body)
  }

  /**
   * The batch endpoint (docs/batch-protocol.md): each entry goes through
   * this server's own routes as a real loopback request carrying its key and
   * the batch's credentials, so scripts, drops, holds and the idempotency
   * memory apply to it as to a single send. A lane stops at its first answer
   * that is not 2xx; an entry that got no answer (dropped) is a 502 result.
   */
  async function answerBatch(incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> {
    const { entries } = JSON.parse((await readBody(incoming)).toString('utf8')) as { entries: BatchEntry[] }
    const credentials = pickHeaders(incoming.headers, ['authorization', 'cookie', 'x-logouts'])
    const stopped = new Set<string>()
    const results: unknown[] = []
    for (const entry of entries) {
      if (stopped.has(entry.lane)) {
        results.push({ key: entry.key, notAttempted: true })
        continue
      }
      const answer = await subRequest(entry, credentials)
      if (answer.status < 200 || answer.status >= 300) stopped.add(entry.lane)
      results.push({ key: entry.key, ...answer })
    }
    outgoing.writeHead(200, { 'content-type': 'application/json' })
    outgoing.end(JSON.stringify({ results }))
  }

  function subRequest(entry: BatchEntry, credentials: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    const body = entry.body === undefined ? '' : JSON.stringify(entry.body)
    const headers = { ...entry.headers, ...credentials, 'idempotency-key': entry.key, 'content-length': String(Buffer.byteLength(body)) }
    return new Promise((resolve) => {
      const sub = http.request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: entry.path, method: entry.method, headers, agent: false }, (answer) => {
        void readBody(answer).then((raw) => resolve({ status: answer.statusCode ?? 502, headers: pickHeaders(answer.headers, ['content-type', 'retry-after']), body: decodeBody(raw) }))
      })
      sub.on('error', () => resolve({ status: 502, headers: {}, body: { error: 'the entry got no answer' } }))
      sub.end(body)
    })
  }

  const server = http.createServer((incoming, outgoing) => {
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    outgoing.on('close', () => (inFlight -= 1))
    trackKeyOnWire(incoming, outgoing)
    handle(incoming, outgoing).catch((error: unknown) => {
      if (outgoing.headersSent || outgoing.destroyed) return
      outgoing.writeHead(500, { 'content-type': 'application/json' })
      outgoing.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
    })
  })
  /** Counts requests per idempotency key from their headers until their connection closes. */
  function trackKeyOnWire(incoming: http.IncomingMessage, outgoing: http.ServerResponse): void {
    const header = incoming.headers['idempotency-key']
    const key = Array.isArray(header) ? header[0] : header
    if (key === undefined) return
    const count = (keysOnWire.get(key) ?? 0) + 1
    keysOnWire.set(key, count)
    maxInFlightPerKey = Math.max(maxInFlightPerKey, count)
    outgoing.on('close', () => {
      const left = (keysOnWire.get(key) ?? 1) - 1
      if (left > 0) keysOnWire.set(key, left)
      else keysOnWire.delete(key)
    })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    applied,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    deliveries,
    get uniqueDeliveries() {
      return deliveries.size
    },
    get duplicates() {
      let repeats = 0
      for (const count of deliveries.values()) repeats += count - 1
      return repeats
    },
    get maxInFlightPerKey() {
      return maxInFlightPerKey
    },
    hold: (match = () => true) => {
      const state = new HoldState(match)
      holds.push(state)
      return state
    },
    setLatency: (ms) => (latencyMs = ms),
    respondWith: (next) => (responder = next),
    dropNextConnections: (count, mode = 'before-apply') => {
      drops = [...drops, ...Array.from({ length: count }, () => mode)]
    },
    serveFile: (path, bytes, contentType = 'application/octet-stream') => {
      served.set(path, { bytes: Buffer.from(bytes), contentType })
    },
    waitForRequests: (count, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (requests.length >= count) return resolve()
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`test server: ${requests.length} of ${count} requests arrived within ${timeoutMs} ms`))
        }, timeoutMs)
        const check = (): void => {
          if (requests.length < count) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
      }),
    reset: () => {
      requests.length = 0
      applied.length = 0
      deliveries.clear()
      answersByKey.clear()
      drops = []
      maxInFlight = inFlight
      maxInFlightPerKey = Math.max(0, ...keysOnWire.values())
      appliedCount = 0
    },
    close: () => {
      for (const hold of holds) hold.release()
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
    },
  }
}
