/**
 * The batch endpoint as Connect/Express middleware, which is also a plain
 * `node:http` handler.
 */
import type { IncomingMessage, ServerResponse } from 'http'
import { answerBatch, type BatchAnswer } from './batch-core'
import { batchBodyOf } from './batch-body'
import { checkHandler, resolveBatchOptions, type AppHandler, type BatchLimitOptions } from './batch-options'

/** Options of {@link batch}. */
export interface BatchEndpointOptions extends BatchLimitOptions {
  /**
   * The app each entry runs through, in process: your Express app itself,
   * or the `node:http` handler that serves your routes. Sub-requests go
   * through all of its middleware (body parsers, auth, idempotency).
   */
  handler: AppHandler
}

/** A request as the endpoint sees it: Node's, plus `body` when a body parser ran first. */
export interface BatchIncomingMessage extends IncomingMessage {
  body?: unknown
}

/** The batch endpoint: Connect/Express middleware, or a `node:http` handler when called without `next`. */
export type BatchEndpointMiddleware = (req: BatchIncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const bytes = Buffer.from(JSON.stringify(body), 'utf8')
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('cache-control', 'no-store')
  res.setHeader('content-length', String(bytes.length))
  res.end(bytes)
}

/**
 * The batch endpoint (see docs/batch-protocol.md): one POST carries many
 * outbox entries, each run through your app's own routes under its own
 * Idempotency-Key, lane by lane, stopping a lane at its first non-2xx.
 * Put your auth in front of it: the batch's caller headers apply to every
 * entry. Mount it before `express.json()` (it reads its own body within
 * `maxBytes`), or raise that parser's `limit` to `maxBytes`.
 *
 * @example
 * ```ts
 * const app = express()
 * app.post('/batch', requireUser, batch({ handler: app }))
 * app.use(express.json())
 * app.use(idempotency({ store: sqliteStore(db) }))
 * app.post('/visits', (req, res) => { res.status(201).json(saveVisit(req.body)) })
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export function batch(options: BatchEndpointOptions): BatchEndpointMiddleware {
  const resolved = resolveBatchOptions(options)
  const handler = checkHandler(options.handler)

  async function handle(req: BatchIncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.method ?? '').toUpperCase() !== 'POST') {
      send(res, 405, { error: 'the batch endpoint takes POST' }, { allow: 'POST' })
      return
    }
    let answered = false
    let gone = false
    res.once('close', () => {
      gone = !answered
    })
    const body = await batchBodyOf(req, req.body, resolved.maxBytes)
    if (body === 'gone') return
    const answer: BatchAnswer =
      body === 'too-large'
        ? { status: 413, body: { error: `the batch is over the limit of ${resolved.maxBytes} bytes` } }
        : await answerBatch(req, body, handler, resolved, () => !gone)
    answered = true
    // A refused body may be half read: close rather than read the rest.
    send(res, answer.status, answer.body, body === 'too-large' ? { connection: 'close' } : {})
  }

  return (req, res, next) => {
    handle(req, res).catch((error: unknown) => {
      if (next) next(error)
      else send(res, 500, { error: 'internal error' })
    })
  }
}
