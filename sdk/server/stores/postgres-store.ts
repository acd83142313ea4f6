/**
 * `postgresStore(pool)`: keys in the app's PostgreSQL, shared by every
 * instance of the app. Its transactional mode commits the business write,
 * the key and its answer in one PostgreSQL transaction.
 */
import { InvalidArgumentError } from '../../errors'
import type { ClaimRequest, ClaimResult, HeldKey, TransactionalStore, TransactionOutcome } from '../key-store'
import { encodeHeaders, type StoredAnswer } from '../stored-answer'
import { toClaimResult, type ClaimRow } from './claim-row'
import { DEFAULT_TABLE, checkTableName, createTableSql } from './sql-schema'

/** What a query gives back, as much of pg's `QueryResult` as the store uses. */
export interface PgResultLike {
  rows: unknown[]
  rowCount: number | null
}

/** Anything that runs a query: a pg `Pool`, `Client` or `PoolClient`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgResultLike>
}

/** A connection checked out of the pool, for a transaction. */
export interface PgPoolClientLike extends PgQueryable {
  release(destroy?: boolean | Error): void
}

/** A pg `Pool`, as much of it as the store uses. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgPoolClientLike>
}

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** The table (created on first use if missing). Default `idempotency_keys`. */
  table?: string
}

/** The PostgreSQL store. The transaction's `tx` is the checked-out pool client. */
export interface PostgresStore extends TransactionalStore<PgPoolClientLike> {
  /** Creates the table if missing. Called on first use anyway; call it at start to keep that off a request. */
  setup(): Promise<void>
}

/** PostgreSQL's division_by_zero: the completion found the key no longer held. */
const DIVISION_BY_ZERO = '22012'

/** Errors a concurrent `CREATE TABLE IF NOT EXISTS` from another instance can raise; the table is there. */
const CREATE_RACE_CODES = new Set(['23505', '42P07'])

/**
 * A store in PostgreSQL (node-postgres `pg` Pool). One statement per claim,
 * one per completion.
 *
 * @example
 * ```ts
 * const pool = new Pool({ connectionString })
 * app.use(idempotency({ store: postgresStore(pool), scope: (req) => req.user.id }))
 * ```
 * @throws InvalidArgumentError when `pool` is not a pg Pool or the table name is bad.
 */
export function postgresStore(pool: PgPoolLike, options: PostgresStoreOptions = {}): PostgresStore {
  if (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new InvalidArgumentError('postgresStore needs a pg Pool')
  }
  const table = checkTableName(options.table ?? DEFAULT_TABLE)
  let ready: Promise<void> | undefined

  const setup = (): Promise<void> => {
    ready ??= (async () => {
      for (const sql of createTableSql(table, { int: 'BIGINT', blob: 'BYTEA' })) {
        try {
          await pool.query(sql)
        } catch (error) {
          if (!CREATE_RACE_CODES.has((error as { code?: string }).code ?? '')) throw error
        }
      }
    })().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }

  // DO UPDATE (never DO NOTHING) so the row comes back in the same statement, whoever wrote it.
  const claimSql = `INSERT INTO ${table} (id, key, fingerprint, state, token, locked_until, created_at)
    VALUES ($1, $2, $3, 'in_progress', $4, $5, $6)
    ON CONFLICT (id) DO UPDATE SET
      token = CASE WHEN ${table}.state = 'in_progress' AND ${table}.locked_until <= $6 AND ${table}.fingerprint = EXCLUDED.fingerprint
                   THEN EXCLUDED.token ELSE ${table}.token END,
      locked_until = CASE WHEN ${table}.state = 'in_progress' AND ${table}.locked_until <= $6 AND ${table}.fingerprint = EXCLUDED.fingerprint
                   THEN EXCLUDED.locked_until ELSE ${table}.locked_until END
    RETURNING ${table}.token IS NOT DISTINCT FROM $4 AS mine, state, fingerprint, locked_until, status, headers, body`
  const completeSql = `UPDATE ${table} SET state = 'done', status = $3, headers = $4, body = $5, token = NULL, locked_until = 0
    WHERE id = $1 AND token = $2 AND state = 'in_progress'`

  const complete = async (db: PgQueryable, held: HeldKey, answer: StoredAnswer): Promise<boolean> =>
    (await db.query(completeSql, [held.id, held.token, answer.status, encodeHeaders(answer.headers), answer.body])).rowCount === 1

  /**
   * Stores the answer and commits in ONE round trip: a simple-protocol
   * query of two statements (so no parameters: every value goes in as hex,
   * which cannot break out of its literal). When the key is no longer held,
   * the division by zero aborts the transaction before COMMIT runs.
   * @returns false when the lock was lost (the transaction is then aborted).
   */
  const completeAndCommit = async (client: PgQueryable, held: HeldKey, answer: StoredAnswer): Promise<boolean> => {
    if (!Number.isInteger(answer.status)) throw new InvalidArgumentError(`status must be an integer, got ${answer.status}`)
    const text = (value: string): string => `convert_from(decode('${Buffer.from(value, 'utf8').toString('hex')}', 'hex'), 'UTF8')`
    const sql = `WITH u AS (
        UPDATE ${table} SET state = 'done', status = ${answer.status}, headers = ${text(encodeHeaders(answer.headers))},
          body = decode('${answer.body.toString('hex')}', 'hex'), token = NULL, locked_until = 0
        WHERE id = ${text(held.id)} AND token = ${text(held.token)} AND state = 'in_progress' RETURNING 1)
      SELECT 1 / COUNT(*) FROM u; COMMIT`
    try {
      await client.query(sql)
      return true
    } catch (error) {
      if ((error as { code?: string }).code === DIVISION_BY_ZERO) return false
      throw error
    }
  }

  return {
    kind: 'postgres',
    setup,
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      await setup()
      const { id, key, fingerprint, token, now, leaseMs } = request
      const result = await pool.query(claimSql, [id, key, fingerprint, token, now + leaseMs, now])
      return toClaimResult(result.rows[0] as ClaimRow)
    },
    complete: (held, answer) => complete(pool, held, answer),
    async release(id, token) {
      await pool.query(`DELETE FROM ${table} WHERE id = $1 AND token = $2 AND state = 'in_progress'`, [id, token])
    },
    async purge(before, now) {
      await setup()
      const result = await pool.query(`DELETE FROM ${table} WHERE created_at < $1 AND (state = 'done' OR locked_until < $2)`, [before, now])
      return result.rowCount ?? 0
    },
    async transaction<T>(held: HeldKey | undefined, work: (tx: PgPoolClientLike) => T | Promise<T>, answerOf: (value: T) => StoredAnswer | undefined): Promise<TransactionOutcome<T>> {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        await client.query('BEGIN')
        try {
          const value = await work(client)
          const answer = answerOf(value)
          if (answer === undefined) {
            await client.query('ROLLBACK')
            return { kind: 'not-stored', value }
          }
          if (held === undefined) await client.query('COMMIT')
          else if (!(await completeAndCommit(client, held, answer))) {
            await client.query('ROLLBACK')
            return { kind: 'lease-lost' }
          }
          return { kind: 'stored', value }
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError))
          throw error
        }
      } finally {
        client.release(broken)
      }
    },
  }
}
