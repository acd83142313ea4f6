/** The batch endpoint for Koa. */
import type { IncomingMessage } from 'http'
import { answerBatch } from './batch-core'
import { batchBodyOf } from './batch-body'
import { checkHandler, resolveBatchOptions, type AppHandler, type BatchLimitOptions } from './batch-options'
import { InvalidArgumentError } from '../../errors'

/** A Koa context, as much of it as the endpoint uses (Koa 2 and 3). */
export interface KoaBatchContextLike {
  method: string
  path: string
  req: IncomingMessage
  res: { once(event: 'close', listener: () => void): unknown; readonly writableEnded: boolean }
  request: { body?: unknown }
  status: number
  body: unknown
  set(field: string, value: string): void
}

/** A Koa application, as much of it as the endpoint uses. */
export interface KoaAppLike {
  callback(): AppHandler
}

/** Options of {@link koaBatch}. */
export interface KoaBatchOptions extends BatchLimitOptions {
  /** Your Koa app: entries run through `app.callback()`, taken at the first batch (after all `app.use` calls). */
  app: KoaAppLike
  /** The endpoint's path. Default `/batch`. */
  path?: string
}

/** A Koa middleware. */
export type KoaBatchMiddleware = (ctx: KoaBatchContextLike, next: () => Promise<unknown>) => Promise<void>

/**
 * The batch endpoint as Koa middleware: answers `POST <path>` and passes
 * everything else on. Mount it after your auth and before your body parser
 * (or let the parser's limit cover `maxBytes`).
 *
 * @example
 * ```ts
 * const app = new Koa()
 * app.use(auth)
 * app.use(koaBatch({ app }))
 * app.use(koaIdempotency({ store: redisStore(client) }))
 * app.use(routes)
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export function koaBatch(options: KoaBatchOptions): KoaBatchMiddleware {
  const resolved = resolveBatchOptions(options)
  const app = options.app
  if (typeof app !== 'object' || app === null || typeof app.callback !== 'function') throw new InvalidArgumentError('app must be your Koa application')
  const path = options.path ?? '/batch'
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidArgumentError(`path must start with "/", got ${String(path)}`)
  // Composed at the first batch, once every middleware is in place.
  let handler: AppHandler | undefined

  return async (ctx, next) => {
    if (ctx.path !== path || ctx.method.toUpperCase() !== 'POST') {
      await next()
      return
    }
    handler ??= checkHandler(app.callback())
    const body = await batchBodyOf(ctx.req, ctx.request.body, resolved.maxBytes)
    if (body === 'gone') return
    let gone = false
    ctx.res.once('close', () => {
      gone = !ctx.res.writableEnded
    })
    const answer =
      body === 'too-large'
        ? { status: 413, body: { error: `the batch is over the limit of ${resolved.maxBytes} bytes` } }
        : await answerBatch(ctx.req, body, handler, resolved, () => !gone)
    ctx.status = answer.status
    ctx.body = answer.body
    ctx.set('cache-control', 'no-store')
    if (body === 'too-large') ctx.set('connection', 'close')
  }
}
