/**
 * A ledger API in transactional mode: the handler's insert, the key and its
 * answer commit in one transaction of the app's own database (SQLite or
 * PostgreSQL), for the transactional suites.
 *
 * Headers outside the fingerprint steer the handler: `x-delay-ms` waits
 * inside the transaction (PostgreSQL) or before it (SQLite), `x-fail`
 * answers that status after inserting, `x-throw` throws after inserting.
 */
import type Database from 'better-sqlite3'
import express from 'express'
import * as http from 'http'
import type { AddressInfo } from 'net'
import type { Pool, PoolClient } from 'pg'
import { idempotency, postgresStore, sqliteStore, type AnswerInit, type IdempotentRequest } from 'miniprogram-offline/server'

/** The database behind the app. */
export type LedgerDb = { kind: 'sqlite'; db: Database.Database } | { kind: 'postgres'; pool: Pool; claimOpensTransaction?: boolean }

/** A running ledger app. */
export interface LedgerApp {
  url: string
  /** Rows in the ledger table. */
  rows(): Promise<number>
  close(): Promise<void>
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function steer(headers: http.IncomingHttpHeaders, id: number): AnswerInit {
  if (headers['x-throw']) throw new Error('handler blew up after its insert')
  if (headers['x-fail']) return { status: Number(headers['x-fail']), body: { error: 'failed after insert' } }
  return { status: 201, body: { id }, headers: { location: `/ledger/${id}` } }
}

/** Starts the app with its table `table` and the store's table `${table}_keys`. */
export async function startLedgerApp(database: LedgerDb, table: string, leaseMs?: number): Promise<LedgerApp> {
  const app = express()
  app.use(express.json())
  let rows: () => Promise<number>
  if (database.kind === 'sqlite') {
    const { db } = database
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, amount INTEGER NOT NULL)`)
    app.use(idempotency({ store: sqliteStore(db, { table: `${table}_keys` }), leaseMs }))
    app.post('/ledger', async (req: IdempotentRequest, _res, next) => {
      try {
        if (req.headers['x-delay-ms']) await sleep(Number(req.headers['x-delay-ms']))
        const amount = (req.body as { amount: number }).amount
        await req.idempotency!.transaction((tx: Database.Database) => {
          const id = Number(tx.prepare(`INSERT INTO ${table} (amount) VALUES (?)`).run(amount).lastInsertRowid)
          return steer(req.headers, id)
        })
      } catch (error) {
        next(error)
      }
    })
    rows = async () => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
  } else {
    const { pool } = database
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, amount INTEGER NOT NULL)`)
    const store = postgresStore(pool, { table: `${table}_keys`, claimOpensTransaction: database.claimOpensTransaction })
    await store.setup()
    app.use(idempotency({ store, leaseMs }))
    app.post('/ledger', async (req: IdempotentRequest, _res, next) => {
      try {
        const amount = (req.body as { amount: number }).amount
        await req.idempotency!.transaction(async (tx: PoolClient) => {
          const inserted = await tx.query<{ id: number }>(`INSERT INTO ${table} (amount) VALUES ($1) RETURNING id`, [amount])
          if (req.headers['x-delay-ms']) await sleep(Number(req.headers['x-delay-ms']))
          return steer(req.headers, inserted.rows[0].id)
        })
      } catch (error) {
        next(error)
      }
    })
    rows = async () => Number((await pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n)
  }
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal error' })
  })
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ledger`,
    rows,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
