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
  /**
   * For transactional mode: the claim also opens the handler's transaction,
   * in the same round trip (the claim commits first, then `BEGIN`), and
   * keeps that connection for the request. A new key then costs no more
   * round trips than the handler's own transaction would. A connection is
   * held from the claim to the answer. Default false.
   */
  claimOpensTransaction?: boolean
}

/** The PostgreSQL store. The transaction's `tx` is the checked-out pool client. */
export interface PostgresStore extends TransactionalStore<PgPoolClientLike> {
  /** Creates the table if missing. Called on first use anyway; call it at start to keep that off a request. */
  setup(): Promise<void>
}

/** A string as a SQL expression made of hex digits only: nothing in it can end the literal. */
function text(value: string): string {
  return `convert_from(decode('${Buffer.from(value, 'utf8').toString('hex')}', 'hex'), 'UTF8')`
}

/** An integer as a SQL literal. @throws InvalidArgumentError for anything else. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`expected an integer, got ${value}`)
  return String(value)
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
    const sql = `WITH u AS (
        UPDATE ${table} SET state = 'done', status = ${integer(answer.status)}, headers = ${text(encodeHeaders(answer.headers))},
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

  /** Connections whose transaction the claim opened, by the holder's token. */
  const opened = new Map<string, PgPoolClientLike>()

  /** The claim (committed at once), then BEGIN, in one simple-protocol round trip (values as hex literals). */
  const claimAndBegin = async (request: ClaimRequest): Promise<ClaimResult> => {
    const { id, key, fingerprint, token, now, leaseMs } = request
    const literals = [text(id), text(key), text(fingerprint), text(token), integer(now + leaseMs), integer(now)]
    // The explicit COMMIT matters: a BEGIN later in the same query would otherwise pull the claim into its transaction.
    const sql = `${claimSql.replace(/\$([1-6])\b/g, (_, n: string) => literals[Number(n) - 1])}; COMMIT; BEGIN`
    const client = await pool.connect()
    let claim: ClaimResult
    try {
      const results = (await client.query(sql)) as PgResultLike | PgResultLike[]
      claim = toClaimResult((Array.isArray(results) ? results[0] : results).rows[0] as ClaimRow)
    } catch (error) {
      client.release(error as Error)
      throw error
    }
    if (claim.kind === 'claimed') {
      opened.set(token, client)
      return claim
    }
    await finish(client, 'ROLLBACK')
    return claim
  }

  /** Ends an opened transaction and returns its connection (destroyed if the statement failed). */
  const finish = async (client: PgPoolClientLike, sql: string): Promise<void> => {
    try {
      await client.query(sql)
      client.release()
    } catch (error) {
      client.release(error as Error)
      throw error
    }
  }

  return {
    kind: 'postgres',
    setup,
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      await setup()
      if (options.claimOpensTransaction === true) return claimAndBegin(request)
      const { id, key, fingerprint, token, now, leaseMs } = request
      const result = await pool.query(claimSql, [id, key, fingerprint, token, now + leaseMs, now])
      return toClaimResult(result.rows[0] as ClaimRow)
    },
    async complete(held, answer) {
      const client = opened.get(held.token)
      if (client === undefined) return complete(pool, held, answer)
      opened.delete(held.token)
      let stored: boolean
      try {
        stored = await completeAndCommit(client, held, answer)
      } catch (error) {
        await finish(client, 'ROLLBACK').catch(() => undefined)
        throw error
      }
      if (stored) client.release()
      else await finish(client, 'ROLLBACK')
      return stored
    },
    async release(id, token) {
      const client = opened.get(token)
      if (client !== undefined) {
        opened.delete(token)
        await finish(client, 'ROLLBACK')
      }
      await pool.query(`DELETE FROM ${table} WHERE id = $1 AND token = $2 AND state = 'in_progress'`, [id, token])
    },
    async purge(before, now) {
      await setup()
      const result = await pool.query(`DELETE FROM ${table} WHERE created_at < $1 AND (state = 'done' OR locked_until < $2)`, [before, now])
      return result.rowCount ?? 0
    },
    async transaction<T>(held: HeldKey | undefined, work: (tx: PgPoolClientLike) => T | Promise<T>, answerOf: (value: T) => StoredAnswer | undefined): Promise<TransactionOutcome<T>> {
      const heldClient = held === undefined ? undefined : opened.get(held.token)
      if (held !== undefined) opened.delete(held.token)
      const client = heldClient ?? (await pool.connect())
      let broken: Error | undefined
      try {
        if (heldClient === undefined) await client.query('BEGIN')
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
