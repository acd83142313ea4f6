/**
 * A small orders API behind the idempotency middleware, on a real loopback
 * server, for the store and adapter suites. Every applied order is counted,
 * so a test can tell one effect from two.
 *
 * The request body drives the handler: `fail: 503` answers a 5xx,
 * `throws: true` throws, `status` picks a 4xx. Headers outside the
 * fingerprint keep it in progress: `x-delay-ms`, or `x-hang` (never answers,
 * like a process that died mid-request).
 */
import express from 'express'
import * as http from 'http'
import type { AddressInfo } from 'net'
import Koa from 'koa'
import { idempotency, koaIdempotency, withIdempotency, type IdempotencyStore, type IdempotentRequest } from 'miniprogram-offline/server'

/** Which adapter serves the app. */
export type Adapter = 'express' | 'koa' | 'node'

/** Options of {@link startOrdersApp}. */
export interface OrdersAppOptions {
  store: IdempotencyStore
  adapter?: Adapter
  required?: boolean
  leaseMs?: number
  retentionMs?: number
  now?: () => number
}

/** A running app. */
export interface OrdersApp {
  url: string
  /** Bodies of the orders applied, in order. */
  applied: unknown[]
  close(): Promise<void>
}

interface OrderBody {
  fail?: number
  throws?: boolean
  status?: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs the order; returns the answer as status + JSON. */
async function placeOrder(applied: unknown[], body: OrderBody, headers: http.IncomingHttpHeaders): Promise<{ status: number; json: unknown; id?: number }> {
  if (headers['x-hang']) await new Promise(() => undefined)
  if (headers['x-delay-ms']) await sleep(Number(headers['x-delay-ms']))
  if (headers['x-fail']) return { status: Number(headers['x-fail']), json: { error: 'failed on request' } }
  if (body.throws) throw new Error('handler blew up')
  if (body.fail) return { status: body.fail, json: { error: 'try again' } }
  if (body.status) return { status: body.status, json: { error: 'refused' } }
  applied.push(body)
  const id = applied.length
  return { status: 201, json: { id, at: Date.now() }, id }
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

/** Starts the app on a free port. */
export async function startOrdersApp(options: OrdersAppOptions): Promise<OrdersApp> {
  const applied: unknown[] = []
  const { adapter = 'express', ...rest } = options
  const scopeOf = (headers: http.IncomingHttpHeaders): string | undefined => {
    const user = headers['x-user']
    return typeof user === 'string' ? user : undefined
  }
  let server: http.Server
  if (adapter === 'express') {
    const app = express()
    app.use(express.json())
    app.use(idempotency({ ...rest, scope: (req) => scopeOf(req.headers) }))
    app.get('/count', (_req, res) => {
      res.json({ count: applied.length })
    })
    app.post('/orders', async (req, res, next) => {
      try {
        const result = await placeOrder(applied, (req.body ?? {}) as OrderBody, req.headers)
        if (result.id !== undefined) res.location(`/orders/${result.id}`)
        res.status(result.status).json(result.json)
      } catch (error) {
        next(error)
      }
    })
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ error: 'internal error' })
    })
    server = http.createServer(app)
  } else if (adapter === 'koa') {
    const app = new Koa()
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch {
        ctx.status = 500
        ctx.body = { error: 'internal error' }
      }
    })
    app.use(koaIdempotency({ ...rest, scope: (ctx) => scopeOf(ctx.headers) }))
    app.use(async (ctx) => {
      if (ctx.method === 'GET' && ctx.path === '/count') {
        ctx.body = { count: applied.length }
        return
      }
      if (ctx.method !== 'POST' || ctx.path !== '/orders') return
      const result = await placeOrder(applied, (ctx.request as { body?: OrderBody }).body ?? {}, ctx.headers)
      if (result.id !== undefined) ctx.set('location', `/orders/${result.id}`)
      ctx.status = result.status
      ctx.body = result.json
    })
    server = http.createServer(app.callback())
  } else {
    server = http.createServer(
      withIdempotency({ ...rest, scope: (req) => scopeOf(req.headers) }, async (req: IdempotentRequest, res) => {
        if (req.method === 'GET') {
          res.end(JSON.stringify({ count: applied.length }))
          return
        }
        const body = Buffer.isBuffer(req.body) ? (JSON.parse(req.body.toString() || '{}') as OrderBody) : ((req.body ?? {}) as OrderBody)
        const result = await placeOrder(applied, body, req.headers)
        res.writeHead(result.status, { 'content-type': 'application/json', ...(result.id !== undefined ? { location: `/orders/${result.id}` } : {}) })
        res.end(JSON.stringify(result.json))
      }),
    )
  }
  const url = await listen(server)
  return {
    url,
    applied,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** One answer, read whole. */
export interface Reply {
  status: number
  headers: Headers
  text: string
  replayed: boolean
}

/** Extra request settings of {@link post}. */
export interface PostOptions {
  user?: string
  delayMs?: number
  hang?: boolean
}

/** POSTs `body` (JSON) with an optional key. */
export async function post(url: string, body: unknown, key?: string, options: PostOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== undefined) headers['idempotency-key'] = key
  if (options.user !== undefined) headers['x-user'] = options.user
  if (options.delayMs !== undefined) headers['x-delay-ms'] = String(options.delayMs)
  if (options.hang) headers['x-hang'] = '1'
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, replayed: response.headers.get('idempotent-replayed') === 'true' }
}
