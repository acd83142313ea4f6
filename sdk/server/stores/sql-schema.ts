/** The table every SQL store keeps keys in, and the checks on its name. */
import { InvalidArgumentError } from '../../errors'

/** The default table name. */
export const DEFAULT_TABLE = 'idempotency_keys'

/** Checks a table name before it is put into SQL text. @throws InvalidArgumentError */
export function checkTableName(table: string): string {
  if (typeof table !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new InvalidArgumentError(`table must be a plain SQL identifier, got ${String(table)}`)
  }
  return table
}

/**
 * One row per key: `in_progress` with the holder's token and lease, then
 * `done` with the answer. Times are ms since the epoch; `created_at` is the
 * first arrival, which retention counts from.
 */
export function createTableSql(table: string, types: { int: string; blob: string }): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      id           TEXT PRIMARY KEY,
      key          TEXT NOT NULL,
      fingerprint  TEXT NOT NULL,
      state        TEXT NOT NULL,
      token        TEXT,
      locked_until ${types.int} NOT NULL,
      status       INTEGER,
      headers      TEXT,
      body         ${types.blob},
      created_at   ${types.int} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${table}_created_at ON ${table} (created_at)`,
  ]
}
