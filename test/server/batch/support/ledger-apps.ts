/**
 * The same small ledger API written for Koa and for plain `node:http`,
 * each with its own auth, the idempotency middleware on a real SQLite file,
 * and the batch endpoint dispatching into the same app.
 */
import Database from 'better-sqlite3'
import { mkdtempSync } from 'fs'
import * as http from 'http'
import Koa from 'koa'
import type { AddressInfo } from 'net'
import * as os from 'os'
import * as path from 'path'
import { batch, koaBatch, koaIdempotency, sqliteStore, withIdempotency, type IdempotentRequest } from 'miniprogram-offline/server'
import { closeApp } from './close-app'

/** A running ledger app. */
export interface LedgerApp {
  batchUrl: string
  /** Rows written: `user:amount`, oldest first. */
  rows(): string[]
  close(): Promise<void>
}

/** The two framework forms besides Express. */
export type LedgerFramework = 'koa' | 'node'

const userOf = (headers: http.IncomingHttpHeaders): string | undefined => /^Bearer token-(alice|bob)$/.exec(headers.authorization ?? '')?.[1]

/** What the write route answers: 201 with the row, or the status asked for in `x-fail` (nothing written). */
function write(db: Database.Database, user: string, body: unknown, headers: http.IncomingHttpHeaders): { status: number; json: unknown } {
  if (headers['x-fail']) return { status: Number(headers['x-fail']), json: { error: 'refused on purpose' } }
  const amount = Number((body as { amount?: unknown } | undefined)?.amount)
  const id = Number(db.prepare('INSERT INTO ledger (entry) VALUES (?)').run(`${user}:${amount}`).lastInsertRowid)
  return { status: 201, json: { id, user, amount } }
}

function koaServer(db: Database.Database): http.Server {
  const app = new Koa()
  app.use(async (ctx, next) => {
    const user = userOf(ctx.headers)
    if (user === undefined) {
      ctx.status = 401
      ctx.body = { error: 'who are you?' }
      return
    }
    ctx.state.user = user
    await next()
  })
  app.use(koaBatch({ app }))
  app.use(koaIdempotency({ store: sqliteStore(db), scope: (ctx) => ctx.state.user as string }))
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/ledger') return
    const answer = write(db, ctx.state.user as string, (ctx.request as { body?: unknown }).body, ctx.headers)
    ctx.status = answer.status
    ctx.body = answer.json
  })
  return http.createServer(app.callback())
}

function nodeServer(db: Database.Database): http.Server {
  const routes = withIdempotency({ store: sqliteStore(db), scope: (req) => userOf(req.headers) }, (req: IdempotentRequest, res) => {
    const user = userOf(req.headers)
    const send = (status: number, json: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(json))
    }
    if (user === undefined) return send(401, { error: 'who are you?' })
    if (req.method !== 'POST' || req.url !== '/ledger') return send(404, { error: 'no such route' })
    const body = Buffer.isBuffer(req.body) ? (JSON.parse(req.body.toString() || '{}') as unknown) : req.body
    const answer = write(db, user, body, req.headers)
    send(answer.status, answer.json)
  })
  const endpoint = batch({ handler: routes })
  return http.createServer((req, res) => {
    if (req.url !== '/batch') return routes(req, res)
    if (userOf(req.headers) === undefined) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"who are you?"}')
      return
    }
    endpoint(req, res)
  })
}

/** Starts the app on a loopback port. */
export async function startLedgerApp(framework: LedgerFramework): Promise<LedgerApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `batch-${framework}-`))
  const db = new Database(path.join(dir, 'app.sqlite'))
  db.exec('CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)')
  const server = framework === 'koa' ? koaServer(db) : nodeServer(db)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    batchUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/batch`,
    rows: () => (db.prepare('SELECT entry FROM ledger ORDER BY id').all() as Array<{ entry: string }>).map((row) => row.entry),
    close: () => closeApp(server, db, dir),
  }
}
