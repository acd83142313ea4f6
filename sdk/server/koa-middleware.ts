/**
 * The Koa variant. Koa answers after the middleware chain unwinds, so the
 * answer is stored before it is sent, with no interception needed.
 */
import type { IncomingMessage } from 'http'
import { errorAnswer, type AnswerInit } from './answer-init'
import { createIdempotency, type HeldRequest } from './idempotency-core'
import type { IdempotencyCoreOptions } from './options'
import { BodyTooLargeError, DEFAULT_BODY_LIMIT, asParsedBody, readBody } from './read-body'
import type { RequestIdempotency } from './node-middleware'
import type { StoredAnswer } from './stored-answer'

/** A Koa context, as much of it as the middleware uses (Koa 2 and 3). */
export interface KoaContextLike {
  method: string
  originalUrl: string
  headers: Record<string, string | string[] | undefined>
  req: IncomingMessage
  request: { body?: unknown }
  response: { headers: Record<string, string | number | string[] | undefined> }
  status: number
  body: unknown
  set(field: string, value: string): void
  state: Record<string, unknown>
}

/** Options of {@link koaIdempotency}. */
export interface KoaIdempotencyOptions extends IdempotencyCoreOptions {
  /** The user or tenant a key belongs to. Default: one shared scope. */
  scope?: (ctx: KoaContextLike) => string | undefined
  /** The largest body read when no body parser ran. Default 1 MiB. */
  bodyLimit?: number
}

/** A Koa middleware. */
export type KoaIdempotencyMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>

function setAnswer(ctx: KoaContextLike, answer: StoredAnswer): void {
  ctx.status = answer.status
  ctx.body = answer.body
  for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value)
}

/** The answer Koa is about to send, or `undefined` for a stream (not storable). */
function answerOf(ctx: KoaContextLike): StoredAnswer | undefined {
  const { body } = ctx
  let bytes: Buffer
  if (body === undefined || body === null) bytes = Buffer.alloc(0)
  else if (Buffer.isBuffer(body)) bytes = body
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8')
  else if (typeof (body as { pipe?: unknown }).pipe === 'function') return undefined
  else bytes = Buffer.from(JSON.stringify(body), 'utf8')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return { status: ctx.status, headers, body: bytes }
}

async function settle(ctx: KoaContextLike, held: HeldRequest): Promise<void> {
  const answer = answerOf(ctx)
  if (answer === undefined) await held.release()
  else await held.complete(answer)
}

/**
 * The Koa middleware. Mount it after your body parser, or alone (it then
 * reads the body and sets `ctx.request.body`). The handler finds
 * `ctx.state.idempotency` ({@link RequestIdempotency}).
 *
 * @example
 * ```ts
 * app.use(koaIdempotency({ store: redisStore(client), scope: (ctx) => ctx.state.user?.id }))
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export function koaIdempotency(options: KoaIdempotencyOptions): KoaIdempotencyMiddleware {
  const core = createIdempotency(options)
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT

  return async (ctx, next) => {
    const method = ctx.method.toUpperCase()
    if (ctx.request.body === undefined && !ctx.req.readableEnded && core.wantsBody(method, ctx.headers)) {
      try {
        const contentType = ctx.headers['content-type']
        ctx.request.body = asParsedBody(await readBody(ctx.req, bodyLimit), Array.isArray(contentType) ? contentType[0] : contentType)
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error
        setAnswer(ctx, errorAnswer(413, error.message))
        return
      }
    }
    const decision = await core.begin({ method, path: ctx.originalUrl, headers: ctx.headers, body: ctx.request.body, scope: options.scope?.(ctx) })
    if (decision.kind === 'answer') {
      setAnswer(ctx, decision.answer)
      return
    }
    const held = decision.held
    let settledInTransaction = false
    const state: RequestIdempotency = {
      key: held.key,
      async transaction<Tx>(work: (tx: Tx) => AnswerInit | Promise<AnswerInit>) {
        settledInTransaction = true
        setAnswer(ctx, (await held.transaction(work)).answer)
      },
    }
    ctx.state.idempotency = state
    try {
      await next()
    } catch (error) {
      if (!settledInTransaction) await held.release()
      throw error
    }
    if (!settledInTransaction && decision.kind === 'run') await settle(ctx, held)
  }
}
