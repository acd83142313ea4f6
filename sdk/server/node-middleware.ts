/**
 * The Connect/Express middleware, also usable from plain `node:http`. It
 * holds the handler's answer until it is stored, then sends it: an answer
 * the client saw is always one a retry will replay.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'http'
import { errorAnswer, type AnswerInit } from './answer-init'
import { createIdempotency, type CoreRequest, type HeldRequest } from './idempotency-core'
import type { IdempotencyCoreOptions } from './options'
import { BodyTooLargeError, DEFAULT_BODY_LIMIT, asParsedBody, readBody } from './read-body'
import type { StoredAnswer } from './stored-answer'

/** What the middleware puts on `req.idempotency` for the handler. */
export interface RequestIdempotency {
  /** The key, or `undefined` when the request came without one. */
  readonly key: string | undefined
  /**
   * Transactional mode (SQL stores): runs `work` in one transaction with
   * the key's answer and sends the answer it returns. See the guide.
   */
  transaction<Tx>(work: (tx: Tx) => AnswerInit | Promise<AnswerInit>): Promise<void>
}

/** A request as the middleware sees it: Node's, plus what Express or a body parser adds. */
export interface IdempotentRequest extends IncomingMessage {
  /** What a body parser made; the middleware reads and sets it when none ran. */
  body?: unknown
  /** Express's full URL (the middleware prefers it over `url`). */
  originalUrl?: string
  /** Set by the middleware for covered requests. */
  idempotency?: RequestIdempotency
}

/** Options of {@link idempotency} and {@link withIdempotency}. */
export interface IdempotencyOptions extends IdempotencyCoreOptions {
  /** The user or tenant a key belongs to (e.g. from the session). Default: one shared scope. */
  scope?: (req: IdempotentRequest) => string | undefined
  /** The largest body the middleware reads itself when no body parser ran. Default 1 MiB. */
  bodyLimit?: number
}

/** A Connect/Express middleware. */
export type IdempotencyMiddleware = (req: IdempotentRequest, res: ServerResponse, next: (error?: unknown) => void) => void

function sendStored(res: ServerResponse, answer: StoredAnswer): void {
  if (res.headersSent || res.destroyed) return
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
  res.setHeader('content-length', String(answer.body.length))
  res.statusCode = answer.status
  res.end(answer.body)
}

function headersOf(res: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return headers
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk)
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
}

/**
 * Holds back what the handler writes, and on `end` hands the whole answer
 * to `settle` before sending it. A connection that closes first releases.
 */
function holdAnswer(res: ServerResponse, held: HeldRequest): { sendNow(answer: StoredAnswer): void } {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end }
  const chunks: Buffer[] = []
  let ended = false
  const restore = (): void => {
    res.writeHead = original.writeHead
    res.write = original.write
    res.end = original.end
  }
  res.writeHead = function writeHead(this: ServerResponse, status: number, ...rest: unknown[]): ServerResponse {
    res.statusCode = status
    const headers = rest.find((item): item is OutgoingHttpHeaders => typeof item === 'object' && item !== null && !Array.isArray(item))
    for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value)
    return res
  } as ServerResponse['writeHead']
  res.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    chunks.push(toBuffer(chunk, encoding))
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') process.nextTick(done as () => void)
    return true
  } as ServerResponse['write']
  res.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
    if (ended) return res
    ended = true
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding))
    const answer: StoredAnswer = { status: res.statusCode, headers: headersOf(res), body: Buffer.concat(chunks) }
    // Stored first, sent after: a failure to store still sends (the work is done), and the lease guards the key.
    void held
      .complete(answer)
      .catch(() => undefined)
      .then(() => {
        restore()
        res.end(answer.body, typeof callback === 'function' ? (callback as () => void) : undefined)
      })
    return res
  } as ServerResponse['end']
  res.once('close', () => {
    if (!ended) {
      ended = true
      restore()
      held.release().catch(() => undefined)
    }
  })
  return {
    sendNow(answer) {
      ended = true
      restore()
      sendStored(res, answer)
    },
  }
}

/**
 * The Connect/Express middleware. Mount it after your body parser (or
 * alone: it then reads the body itself, and leaves parsed JSON or the bytes
 * on `req.body`).
 *
 * @example
 * ```ts
 * app.use(express.json())
 * app.use(idempotency({ store: sqliteStore(db), scope: (req) => req.user?.id }))
 * app.post('/visits', (req, res) => { res.status(201).json(saveVisit(req.body)) })
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export function idempotency(options: IdempotencyOptions): IdempotencyMiddleware {
  const core = createIdempotency(options)
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT

  async function handle(req: IdempotentRequest, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const contentType = req.headers['content-type']
    // A stream some other parser already drained has nothing left to read: fingerprint it as bodiless.
    if (req.body === undefined && !req.readableEnded && core.wantsBody(method, req.headers)) {
      let bytes: Buffer
      try {
        bytes = await readBody(req, bodyLimit)
      } catch (error) {
        if (error instanceof BodyTooLargeError) sendStored(res, errorAnswer(413, error.message, { connection: 'close' }))
        return // the client went away: nothing to answer
      }
      req.body = asParsedBody(bytes, contentType)
      // Tells Express's body parsers the body was read already.
      ;(req as { _body?: boolean })._body = true
    }
    const request: CoreRequest = { method, path: req.originalUrl ?? req.url ?? '/', headers: req.headers, body: req.body, scope: options.scope?.(req) }
    const decision = await core.begin(request)
    if (decision.kind === 'answer') {
      sendStored(res, decision.answer)
      return
    }
    const held = decision.held
    const answering = decision.kind === 'run' ? holdAnswer(res, held) : undefined
    req.idempotency = {
      key: held.key,
      async transaction<Tx>(work: (tx: Tx) => AnswerInit | Promise<AnswerInit>) {
        const { answer } = await held.transaction(work)
        if (answering) answering.sendNow(answer)
        else sendStored(res, answer)
      },
    }
    next()
  }

  return (req, res, next) => {
    handle(req, res, next).catch(next)
  }
}

/**
 * Wraps a plain `node:http` handler.
 *
 * @example
 * ```ts
 * http.createServer(withIdempotency({ store }, (req, res) => { ... })).listen(8080)
 * ```
 */
export function withIdempotency(
  options: IdempotencyOptions,
  handler: (req: IdempotentRequest, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  const middleware = idempotency(options)
  const failed = (res: ServerResponse): void => {
    if (res.headersSent || res.destroyed) return
    res.statusCode = 500
    res.setHeader('content-type', 'application/json; charset=utf-8')
    res.end(JSON.stringify({ error: 'internal error' }))
  }
  return (req, res) => {
    middleware(req, res, (error) => {
      // An error here is the store's (a 5xx the SDK retries); the handler's own throws answer 500 too, and are not stored.
      if (error !== undefined) failed(res)
      else Promise.resolve()
        .then(() => handler(req, res))
        .catch(() => failed(res))
    })
  }
}
