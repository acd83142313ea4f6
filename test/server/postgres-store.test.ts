/** The PostgreSQL store against a real PostgreSQL 15 cluster started for this file. */
import { Pool } from 'pg'
import { postgresStore } from 'miniprogram-offline/server'
import { startPostgres, type PostgresServer } from './support/postgres-server'
import { describeStoreContract } from './support/store-contract'
import { describeTransactionalMode } from './support/transactional-contract'

let server: PostgresServer
let pool: Pool
let tables = 0

beforeAll(async () => {
  server = await startPostgres()
  pool = new Pool({ connectionString: server.url, max: 20 })
}, 30000)

afterAll(async () => {
  await pool?.end()
  await server?.stop()
})

describeStoreContract('postgres', () => postgresStore(pool, { table: `keys_${++tables}` }), 'express')
describeStoreContract('postgres', () => postgresStore(pool, { table: `keys_${++tables}` }), 'koa')
describeTransactionalMode('postgres', () => ({ kind: 'postgres', pool }))
describeStoreContract('postgres (claim opens the transaction)', () => postgresStore(pool, { table: `keys_${++tables}`, claimOpensTransaction: true }), 'express')
describeTransactionalMode('postgres_claim_opens', () => ({ kind: 'postgres', pool, claimOpensTransaction: true }))

describe('postgres store round trips', () => {
  it('claims a new key in one statement and completes it in one', async () => {
    const queries: string[] = []
    const counting = {
      query: (text: string, values?: unknown[]) => {
        queries.push(text.trim().split(/\s+/)[0])
        return pool.query(text, values)
      },
      connect: () => pool.connect(),
    }
    const store = postgresStore(counting, { table: 'keys_counted' })
    await store.setup()
    queries.length = 0
    const claim = await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 't', now: Date.now(), leaseMs: 1000 })
    expect(claim).toEqual({ kind: 'claimed' })
    expect(queries).toEqual(['INSERT'])
    expect(await store.complete({ id: 'a', token: 't', now: Date.now(), retentionMs: 1000 }, { status: 201, headers: {}, body: Buffer.from('ok') })).toBe(true)
    expect(queries).toEqual(['INSERT', 'UPDATE'])
    const replay = await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 'u', now: Date.now(), leaseMs: 1000 })
    expect(replay).toEqual({ kind: 'done', fingerprint: 'f', answer: { status: 201, headers: {}, body: Buffer.from('ok') } })
  })

  it('with claimOpensTransaction, claims and opens the transaction in one round trip, and stores and commits in one', async () => {
    const queries: string[] = []
    const counting = {
      query: (text: string, values?: unknown[]) => (queries.push(text.trim().split(/\s+/)[0]), pool.query(text, values)),
      connect: async () => {
        const client = await pool.connect()
        return { query: (text: string, values?: unknown[]) => (queries.push(text.trim().split(/\s+/)[0]), client.query(text, values)), release: (e?: boolean | Error) => client.release(e) }
      },
    }
    const store = postgresStore(counting, { table: 'keys_counted_tx', claimOpensTransaction: true })
    await store.setup()
    await pool.query('CREATE TABLE IF NOT EXISTS notes_tx (body TEXT)')
    queries.length = 0
    expect(await store.claim({ id: 'a', key: "it's k", fingerprint: 'f', token: 't', now: Date.now(), leaseMs: 1000 })).toEqual({ kind: 'claimed' })
    const outcome = await store.transaction(
      { id: 'a', token: 't', now: Date.now(), retentionMs: 1000 },
      async (tx) => (await tx.query('INSERT INTO notes_tx (body) VALUES ($1)', ['x']), 'value'),
      () => ({ status: 201, headers: { 'content-type': 'text/plain' }, body: Buffer.from("it's done") }),
    )
    expect(outcome).toEqual({ kind: 'stored', value: 'value' })
    expect(queries).toEqual(['INSERT', 'INSERT', 'WITH'])
    const replay = await store.claim({ id: 'a', key: "it's k", fingerprint: 'f', token: 'u', now: Date.now(), leaseMs: 1000 })
    expect(replay).toEqual({ kind: 'done', fingerprint: 'f', answer: { status: 201, headers: { 'content-type': 'text/plain' }, body: Buffer.from("it's done") } })
    expect((await pool.query('SELECT key FROM keys_counted_tx')).rows).toEqual([{ key: "it's k" }])
    // A duplicate's claim gave its connection back: the pool is not drained.
    expect((await pool.query('SELECT COUNT(*)::int AS n FROM notes_tx')).rows).toEqual([{ n: 1 }])
  })
})
