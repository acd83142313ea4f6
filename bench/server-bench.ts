/**
 * The server half's cost: the same handler (a business write to its
 * database) with and without the idempotency middleware, on each store,
 * under a loopback load generator (autocannon), all in one run. Also counts
 * store round trips per new key, before and after the handler.
 *
 * Run alone: `npx ts-node --transpile-only bench/server-bench.ts`; also a
 * section of `npm run bench` (`npm run bench -- server`).
 */
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import express from 'express'
import { mkdtempSync, rmSync } from 'fs'
import * as http from 'http'
import type { AddressInfo } from 'net'
import * as os from 'os'
import * as path from 'path'
import { Pool, type PoolClient } from 'pg'
import { createClient } from 'redis'
import {
  idempotency,
  postgresStore,
  redisStore,
  sqliteStore,
  type IdempotencyStore,
  type IdempotentRequest,
  type PgPoolLike,
  type SqliteDatabaseLike,
} from '../sdk/server'
import { startPostgres } from '../test/server/support/postgres-server'
import { startRedis } from '../test/server/support/redis-server'
import { median, printTable, type BenchSection } from './bench-section'

const DURATION_S = Number(process.env.SERVER_BENCH_SECONDS ?? 2)
const ROUNDS = Number(process.env.SERVER_BENCH_ROUNDS ?? 3)
const CONNECTIONS = 16

/** How a variant handles `POST /orders`. */
type Handler = (req: IdempotentRequest, res: express.Response) => Promise<void> | void

interface Variant {
  store: string
  mode: string
  middleware?: IdempotencyStore
  handler: Handler
}

async function listen(variant: Variant): Promise<{ url: string; close(): Promise<void> }> {
  const app = express()
  app.use(express.json())
  if (variant.middleware) app.use(idempotency({ store: variant.middleware, purgeIntervalMs: 0 }))
  app.post('/orders', (req, res, next) => {
    Promise.resolve(variant.handler(req as IdempotentRequest, res)).catch(next)
  })
  const server = http.createServer(app)
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function load(url: string): Promise<{ rps: number; p99: number; non2xx: number; requests: number }> {
  const result = await autocannon({
    url: `${url}/orders`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    idReplacement: true,
    headers: { 'content-type': 'application/json', 'idempotency-key': '[<id>]' },
    body: '{"item":"tea","qty":2,"note":"[<id>]"}',
  })
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, requests: result.requests.total }
}

/** A pg Pool whose round trips are counted, except the handler's own business statements. */
function countingPool(pool: Pool): { pool: PgPoolLike; count: () => number } {
  let count = 0
  const counted = (text: string): void => {
    if (!text.startsWith('INSERT INTO orders')) count += 1
  }
  return {
    count: () => count,
    pool: {
      query: (text: string, values?: unknown[]) => {
        counted(text)
        return pool.query(text, values)
      },
      connect: async () => {
        const client = await pool.connect()
        return {
          query: (text: string, values?: unknown[]) => {
            counted(text)
            return client.query(text, values)
          },
          release: (destroy?: boolean | Error) => client.release(destroy),
        }
      },
    },
  }
}

async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'server-bench-'))
  const pg = await startPostgres()
  const redisServer = await startRedis()
  const pool = new Pool({ connectionString: pg.url, max: CONNECTIONS })
  const redis = createClient({ url: redisServer.url })
  await redis.connect()
  const db = new Database(path.join(dir, 'bench.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)')
  await pool.query('CREATE TABLE orders (id SERIAL PRIMARY KEY, body TEXT NOT NULL)')

  const insertSqlite = db.prepare('INSERT INTO orders (body) VALUES (?)')
  const sqliteWrite: Handler = (req, res) => {
    const id = insertSqlite.run(JSON.stringify(req.body)).lastInsertRowid
    res.status(201).json({ id: Number(id) })
  }
  const pgWrite: Handler = async (req, res) => {
    const { rows } = await pool.query<{ id: number }>('INSERT INTO orders (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)])
    res.status(201).json({ id: rows[0].id })
  }
  const sqliteTxWrite: Handler = (req, res) => {
    const id = db.transaction(() => insertSqlite.run(JSON.stringify(req.body)).lastInsertRowid).immediate()
    res.status(201).json({ id: Number(id) })
  }
  const pgTxWrite: Handler = async (req, res) => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<{ id: number }>('INSERT INTO orders (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)])
      await client.query('COMMIT')
      res.status(201).json({ id: rows[0].id })
    } finally {
      client.release()
    }
  }
  const redisWrite: Handler = async (req, res) => {
    const id = await redis.rPush('orders', JSON.stringify(req.body))
    res.status(201).json({ id })
  }

  const pgCounted = countingPool(pool)
  const pgTxCounted = countingPool(pool)
  let redisTrips = 0
  const countedRedis = {
    isOpen: true,
    eval: (script: string, options: { keys: string[]; arguments: string[] }) => {
      redisTrips += 1
      return redis.eval(script, options)
    },
  }
  const sqliteTrips = { count: 0 }
  const countedSqlite: SqliteDatabaseLike = {
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    prepare: (sql) => {
      const statement = db.prepare(sql)
      return {
        run: (...params: unknown[]) => {
          sqliteTrips.count += 1
          return statement.run(...params)
        },
        get: (...params: unknown[]) => {
          sqliteTrips.count += 1
          return statement.get(...params)
        },
      }
    },
  }

  const variants: Variant[] = [
    { store: 'sqlite', mode: 'no middleware', handler: sqliteWrite },
    { store: 'sqlite', mode: 'middleware', middleware: sqliteStore(countedSqlite, { table: 'keys_plain' }), handler: sqliteWrite },
    { store: 'sqlite', mode: 'no middleware, in a transaction', handler: sqliteTxWrite },
    {
      store: 'sqlite',
      mode: 'middleware, transactional',
      middleware: sqliteStore(db, { table: 'keys_tx' }),
      handler: (req) =>
        req.idempotency!.transaction((tx: Database.Database) => {
          const id = tx.prepare('INSERT INTO orders (body) VALUES (?)').run(JSON.stringify(req.body)).lastInsertRowid
          return { status: 201, body: { id: Number(id) } }
        }),
    },
    { store: 'postgres', mode: 'no middleware', handler: pgWrite },
    { store: 'postgres', mode: 'middleware', middleware: postgresStore(pgCounted.pool, { table: 'keys_plain' }), handler: pgWrite },
    { store: 'postgres', mode: 'no middleware, in a transaction', handler: pgTxWrite },
    {
      store: 'postgres',
      mode: 'middleware, transactional',
      middleware: postgresStore(pgTxCounted.pool, { table: 'keys_tx', claimOpensTransaction: true }),
      handler: (req) =>
        req.idempotency!.transaction(async (tx: PoolClient) => {
          const { rows } = await tx.query<{ id: number }>('INSERT INTO orders (body) VALUES ($1) RETURNING id', [JSON.stringify(req.body)])
          return { status: 201, body: { id: rows[0].id } }
        }),
    },
    { store: 'redis', mode: 'no middleware', handler: redisWrite },
    { store: 'redis', mode: 'middleware', middleware: redisStore(countedRedis, { prefix: 'bench:' }), handler: redisWrite },
  ]
  const trips: Record<string, () => number> = {
    'sqlite/middleware': () => sqliteTrips.count,
    'postgres/middleware': pgCounted.count,
    'postgres/middleware, transactional': pgTxCounted.count,
    'redis/middleware': () => redisTrips,
  }

  try {
    for (const variant of variants) if (variant.middleware && 'setup' in variant.middleware) await (variant.middleware as { setup(): Promise<void> }).setup()
    // Rounds alternate the variants, and each row shows its median round: load from other processes
    // drifts over a run, and alternating spreads it over every variant alike.
    const servers = await Promise.all(variants.map(listen))
    const samples = variants.map(() => ({ rps: [] as number[], p99: [] as number[], non2xx: 0, requests: 0, trips: 0 }))
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, variant] of variants.entries()) {
        const counter = trips[`${variant.store}/${variant.mode}`] as (() => number) | undefined
        const tripsBefore = counter?.() ?? 0
        const measured = await load(servers[i].url)
        const sample = samples[i]
        sample.rps.push(measured.rps)
        sample.p99.push(measured.p99)
        sample.non2xx += measured.non2xx
        sample.requests += measured.requests
        sample.trips += (counter?.() ?? 0) - tripsBefore
      }
    }
    await Promise.all(servers.map((server) => server.close()))
    const rows: Array<Record<string, string | number>> = []
    const baseline = new Map<string, number>()
    for (const [i, variant] of variants.entries()) {
      const rps = median(samples[i].rps)
      // Plain middleware compares with the plain write; transactional mode with the same write in a transaction.
      const group = `${variant.store}/${variant.mode.includes('transaction') ? 'tx' : 'plain'}`
      if (variant.middleware === undefined) baseline.set(group, rps)
      const base = baseline.get(group) ?? rps
      const counted = trips[`${variant.store}/${variant.mode}`] !== undefined
      rows.push({
        store: variant.store,
        mode: variant.mode,
        'req/s': rps,
        'vs none': `${(rps / base).toFixed(2)}x`,
        'p99 ms': median(samples[i].p99),
        'store trips/key': counted ? (samples[i].trips / samples[i].requests).toFixed(2) : '-',
        non2xx: samples[i].non2xx,
      })
    }
    printTable(`POST /orders, a new Idempotency-Key each request: ${CONNECTIONS} connections, median of ${ROUNDS} alternating rounds of ${DURATION_S} s, autocannon in the same process`, rows, [
      'the handler writes one row (SQLite / PostgreSQL) or one list item (Redis) in every mode; "vs none" compares with the same write',
      '  without middleware (transactional mode: with the same write in its own transaction)',
      'store trips/key: round trips the store made per new key: claim before the handler + completion after; transactional PostgreSQL',
      '  (claimOpensTransaction) sends the claim with the BEGIN and the answer with the COMMIT its transaction needs anyway',
      'PostgreSQL and Redis run fsync off on loopback (test clusters); everything shares the same 2 cores',
    ])
  } finally {
    // Handlers cut off when a run's server closed may still be finishing their writes.
    await new Promise((resolve) => setTimeout(resolve, 500))
    await redis.quit()
    await pool.end()
    db.close()
    await pg.stop()
    await redisServer.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The `server` bench section. */
export const serverBench: BenchSection = {
  name: 'server',
  description: 'Idempotency-Key middleware throughput on SQLite, PostgreSQL and Redis against the same handler without it',
  run,
}

if ((require as { main?: unknown }).main === module) {
  run().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
