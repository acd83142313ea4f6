/**
 * The response one sub-request is answered into: a real
 * `http.ServerResponse` (Express and Koa add their methods to it as to any
 * other) whose writes are kept in memory instead of going to a socket.
 * Middleware that wraps `write`/`end` (the idempotency middleware does)
 * wraps these, and reaches them when it finally sends.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'http'

/** What a sub-request answered. */
export interface CapturedAnswer {
  status: number
  /** Names in lower case. */
  headers: Record<string, string>
  body: Buffer
}

/** A response whose answer arrives as a promise. */
export interface CapturedResponse {
  readonly res: ServerResponse
  /** Settles once, at the first `end` or {@link CapturedResponse.abandon}. */
  readonly answer: Promise<CapturedAnswer>
  /**
   * Settles the answer with `answer` unless the handler already ended. The
   * handler may still finish: its answer then goes to the app's own
   * middleware only (so an idempotency store keeps it for the retry).
   */
  abandon(answer: CapturedAnswer): void
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk)
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
}

function flatHeaders(res: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return headers
}

/** Applies `writeHead(status, [reason], [headers])`'s headers: an object or a flat [name, value, ...] list. */
function applyHeadArgs(res: ServerResponse, rest: unknown[]): void {
  for (const item of rest) {
    if (typeof item === 'string') res.statusMessage = item
    else if (Array.isArray(item)) {
      for (let i = 0; i + 1 < item.length; i += 2) res.setHeader(String(item[i]), item[i + 1] as string)
    } else if (typeof item === 'object' && item !== null) {
      for (const [name, value] of Object.entries(item as OutgoingHttpHeaders)) if (value !== undefined) res.setHeader(name, value)
    }
  }
}

/** Creates the response for `req`. */
export function captureResponse(req: IncomingMessage): CapturedResponse {
  const res = new ServerResponse(req)
  const chunks: Buffer[] = []
  let ended = false
  let resolved = false
  let resolve!: (answer: CapturedAnswer) => void
  const answer = new Promise<CapturedAnswer>((done) => (resolve = done))
  const resolveOnce = (captured: CapturedAnswer): void => {
    if (resolved) return
    resolved = true
    resolve(captured)
  }

  const finish = (): void => {
    ended = true
    // Node's own flags, so `headersSent` and `writableEnded` tell later middleware the answer is gone.
    ;(res as unknown as { _header: string })._header = `HTTP/1.1 ${res.statusCode}\r\n\r\n`
    ;(res as unknown as { finished: boolean }).finished = true
    process.nextTick(() => {
      res.emit('prefinish')
      res.emit('finish')
      res.emit('close')
    })
  }

  res.writeHead = function writeHead(status: number, ...rest: unknown[]): ServerResponse {
    if (!ended) {
      res.statusCode = status
      applyHeadArgs(res, rest)
    }
    return res
  } as ServerResponse['writeHead']
  res.flushHeaders = () => undefined
  res.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (!ended && chunk !== undefined && chunk !== null) chunks.push(toBuffer(chunk, encoding))
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') process.nextTick(done as () => void)
    return true
  } as ServerResponse['write']
  res.end = function end(chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
    const done = [chunk, encoding, callback].find((item) => typeof item === 'function')
    if (!ended) {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding))
      const body = req.method === 'HEAD' ? Buffer.alloc(0) : Buffer.concat(chunks)
      const captured = { status: res.statusCode, headers: flatHeaders(res), body }
      finish()
      resolveOnce(captured)
    }
    if (done) process.nextTick(done as () => void)
    return res
  } as ServerResponse['end']

  // An abandoned response is not closed: the handler runs on, and its answer still reaches the app's own middleware (the idempotency memory stores it for the retry).
  return { res, answer, abandon: resolveOnce }
}
