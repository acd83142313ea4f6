/**
 * `sqliteStore(db)`: keys in the app's own better-sqlite3 database, the
 * embedded default for a single server. Its transactional mode commits the
 * business write, the key and its answer in one SQLite transaction.
 */
import { InvalidArgumentError } from '../../errors'
import type { ClaimRequest, ClaimResult, HeldKey, TransactionalStore, TransactionOutcome } from '../key-store'
import { encodeHeaders, type StoredAnswer } from '../stored-answer'
import { toClaimResult, type ClaimRow } from './claim-row'
import { DEFAULT_TABLE, checkTableName, createTableSql } from './sql-schema'

/** A prepared statement, as much of better-sqlite3's as the store uses. */
export interface SqliteStatementLike {
  run(...params: unknown[]): { changes: number }
  get(...params: unknown[]): unknown
}

/** A better-sqlite3 `Database`, as much of it as the store uses. */
export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike
  exec(sql: string): unknown
  transaction<T>(fn: () => T): { immediate(): T }
}

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** The table (created if missing). Default `idempotency_keys`. */
  table?: string
}

/** The SQLite store: transactional, with a start-up clean-up for a single server. */
export interface SqliteStore extends TransactionalStore<SqliteDatabaseLike> {
  /**
   * Releases every in-progress claim. Only for a single server at start-up:
   * claims left by an earlier process belong to requests that died with it
   * (in transactional mode nothing of them was applied), so their retries
   * need not wait for the lease. @returns how many.
   */
  releaseInProgress(): number
}

/**
 * A store in a better-sqlite3 database (12.x). Creates its table at once.
 * better-sqlite3 is synchronous, so each call is one statement and cannot
 * interleave with another request's.
 *
 * @example
 * ```ts
 * const db = new Database('app.sqlite')
 * app.use(idempotency({ store: sqliteStore(db) }))
 * ```
 * @throws InvalidArgumentError when `db` is not a better-sqlite3 database or the table name is bad.
 */
export function sqliteStore(db: SqliteDatabaseLike, options: SqliteStoreOptions = {}): SqliteStore {
  if (typeof db !== 'object' || db === null || typeof db.prepare !== 'function' || typeof db.transaction !== 'function') {
    throw new InvalidArgumentError('sqliteStore needs a better-sqlite3 Database')
  }
  const table = checkTableName(options.table ?? DEFAULT_TABLE)
  for (const sql of createTableSql(table, { int: 'INTEGER', blob: 'BLOB' })) db.exec(sql)

  const claimSql = db.prepare(
    `INSERT INTO ${table} (id, key, fingerprint, state, token, locked_until, created_at)
     VALUES (@id, @key, @fingerprint, 'in_progress', @token, @lockedUntil, @now)
     ON CONFLICT (id) DO UPDATE SET
       token = CASE WHEN ${table}.state = 'in_progress' AND ${table}.locked_until <= @now AND ${table}.fingerprint = excluded.fingerprint
                    THEN excluded.token ELSE ${table}.token END,
       locked_until = CASE WHEN ${table}.state = 'in_progress' AND ${table}.locked_until <= @now AND ${table}.fingerprint = excluded.fingerprint
                    THEN excluded.locked_until ELSE ${table}.locked_until END
     RETURNING token IS @token AS mine, state, fingerprint, locked_until, status, headers, body`,
  )
  const completeSql = db.prepare(
    `UPDATE ${table} SET state = 'done', status = @status, headers = @headers, body = @body, token = NULL, locked_until = 0
     WHERE id = @id AND token = @token AND state = 'in_progress'`,
  )
  const releaseSql = db.prepare(`DELETE FROM ${table} WHERE id = ? AND token = ? AND state = 'in_progress'`)
  const purgeSql = db.prepare(`DELETE FROM ${table} WHERE created_at < ? AND (state = 'done' OR locked_until < ?)`)
  const releaseAllSql = db.prepare(`DELETE FROM ${table} WHERE state = 'in_progress'`)

  const complete = (held: HeldKey, answer: StoredAnswer): boolean =>
    completeSql.run({ id: held.id, token: held.token, status: answer.status, headers: encodeHeaders(answer.headers), body: answer.body }).changes === 1

  return {
    kind: 'sqlite',
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      const { id, key, fingerprint, token, now, leaseMs } = request
      return toClaimResult(claimSql.get({ id, key, fingerprint, token, now, lockedUntil: now + leaseMs }) as ClaimRow)
    },
    async complete(held, answer) {
      return complete(held, answer)
    },
    async release(id, token) {
      releaseSql.run(id, token)
    },
    async purge(before, now) {
      return purgeSql.run(before, now).changes
    },
    releaseInProgress() {
      return releaseAllSql.run().changes
    },
    async transaction<T>(held: HeldKey | undefined, work: (tx: SqliteDatabaseLike) => T | Promise<T>, answerOf: (value: T) => StoredAnswer | undefined) {
      /** Rolls the transaction back while carrying the outcome out of it. */
      class Rollback extends Error {
        constructor(readonly outcome: TransactionOutcome<T>) {
          super('rollback')
        }
      }
      const run = db.transaction((): TransactionOutcome<T> => {
        const value = work(db)
        if (value instanceof Promise) throw new InvalidArgumentError('sqliteStore transactions are synchronous: the work must not return a Promise')
        const answer = answerOf(value as T)
        if (answer === undefined) throw new Rollback({ kind: 'not-stored', value: value as T })
        if (held !== undefined && !complete(held, answer)) throw new Rollback({ kind: 'lease-lost' })
        return { kind: 'stored', value: value as T }
      })
      try {
        return run.immediate()
      } catch (error) {
        if (error instanceof Rollback) return error.outcome
        throw error
      }
    },
  }
}
