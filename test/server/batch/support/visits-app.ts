/**
 * A visits API the way an adopting team would write it: Express, its own
 * bearer auth, `express.json()`, the idempotency middleware on a real
 * SQLite file, and the batch endpoint dispatching into the same app.
 *
 * Entry headers outside the fingerprint steer the handler: `x-fail: <status>`
 * answers that status without writing, `x-fail-once: <token>` answers 503
 * the first time it sees the token, `x-delay-ms` waits before writing.
 */
import Database from 'better-sqlite3'
import express from 'express'
import { mkdtempSync } from 'fs'
import * as http from 'http'
import type { AddressInfo } from 'net'
import * as os from 'os'
import * as path from 'path'
import { batch, idempotency, sqliteStore, type BatchLimitOptions, type IdempotentRequest } from 'miniprogram-offline/server'
import { closeApp } from './close-app'

/** A running app. */
export interface VisitsApp {
  origin: string
  batchUrl: string
  /** Visits written, oldest first. */
  visits(): Array<{ id: number; user: string; customer: string; key: string }>
  /** HTTP requests that arrived on the wire, per path (sub-requests of a batch are not on the wire). */
  wireRequests(): Record<string, number>
  /** The most sub-requests that were inside the visits handler at once. */
  maxInFlight(): number
  close(): Promise<void>
}

/** How to build the app. */
export interface VisitsAppOptions extends BatchLimitOptions {
  /** Mount `express.json()` before the batch route (the batch then arrives parsed). Default false. */
  jsonFirst?: boolean
}

/** The users the bearer tokens stand for. */
const TOKENS: Record<string, string> = { 'token-alice': 'alice', 'token-bob': 'bob' }

type AuthedRequest = express.Request & { user?: string }

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function requireUser(req: AuthedRequest, res: express.Response, next: express.NextFunction): void {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
  const user = token === undefined ? undefined : TOKENS[token]
  if (user === undefined) {
    res.status(401).json({ error: 'who are you?' })
    return
  }
  req.user = user
  next()
}

/** Starts the app on a loopback port, with its SQLite file in a temp dir. */
export async function startVisitsApp(options: VisitsAppOptions = {}): Promise<VisitsApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'batch-app-'))
  const db = new Database(path.join(dir, 'app.sqlite'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE visits (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, customer TEXT NOT NULL, key TEXT NOT NULL)')
  let inFlight = 0
  const failedOnce = new Set<string>()
  const wire: Record<string, number> = {}
  let maxInFlight = 0

  const { jsonFirst, ...limits } = options
  const app = express()
  if (jsonFirst) app.use(express.json({ limit: '1mb' }))
  app.post('/batch', requireUser, batch({ handler: app, ...limits }))
  app.use(express.json())
  app.use(express.urlencoded({ extended: false }))
  app.get('/count', (_req, res) => {
    res.json({ count: (db.prepare('SELECT COUNT(*) AS n FROM visits').get() as { n: number }).n })
  })
  app.use(requireUser)
  app.use(idempotency({ store: sqliteStore(db), scope: (req) => (req as AuthedRequest).user }))

  app.post('/visits', async (req: AuthedRequest, res) => {
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      if (req.headers['x-delay-ms']) await sleep(Number(req.headers['x-delay-ms']))
      const once = req.headers['x-fail-once']
      if (typeof once === 'string' && !failedOnce.has(once)) {
        failedOnce.add(once)
        res.status(503).json({ error: 'failed once on purpose' })
        return
      }
      if (req.headers['x-fail']) {
        res.status(Number(req.headers['x-fail'])).json({ error: 'refused on purpose' })
        return
      }
      const customer = String((req.body as { customer?: unknown }).customer)
      const key = String(req.headers['idempotency-key'])
      const id = Number(db.prepare('INSERT INTO visits (user, customer, key) VALUES (?, ?, ?)').run(req.user, customer, key).lastInsertRowid)
      res.status(201).location(`/visits/${id}`).json({ id, user: req.user, customer, query: req.query })
    } finally {
      inFlight -= 1
    }
  })
  // Transactional mode: the row, the key and its answer commit together; a 5xx rolls the row back.
  app.post('/ledger', async (req: AuthedRequest & IdempotentRequest, _res, next) => {
    try {
      await req.idempotency!.transaction((tx: Database.Database) => {
        const customer = String((req.body as { customer?: unknown }).customer)
        const key = String(req.headers['idempotency-key'])
        const id = Number(tx.prepare('INSERT INTO visits (user, customer, key) VALUES (?, ?, ?)').run(req.user, customer, key).lastInsertRowid)
        if (req.headers['x-fail']) return { status: Number(req.headers['x-fail']), body: { error: 'failed after its insert' } }
        return { status: 201, body: { id, customer } }
      })
    } catch (error) {
      next(error)
    }
  })
  // What the route saw, for checking how a sub-request is built.
  app.post('/echo', (req, res) => {
    const { authorization, cookie, 'idempotency-key': key, 'content-type': type, 'content-length': length, 'x-trace': trace, 'user-agent': agent } = req.headers
    res.status(200).json({ method: req.method, url: req.originalUrl, body: req.body, ip: req.ip, headers: { authorization, cookie, key, type, length, trace, agent } })
  })
  app.post('/text', (_req, res) => {
    res.status(200).type('text/plain').send('plain words')
  })

  const server = http.createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0]
    wire[route] = (wire[route] ?? 0) + 1
    app(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    batchUrl: `${origin}/batch`,
    visits: () => db.prepare('SELECT id, user, customer, key FROM visits ORDER BY id').all() as Array<{ id: number; user: string; customer: string; key: string }>,
    maxInFlight: () => maxInFlight,
    wireRequests: () => ({ ...wire }),
    close: () => closeApp(server, db, dir),
  }
}
