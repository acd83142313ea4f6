/** Turning the row a SQL claim returns into a {@link ClaimResult}. */
import type { ClaimResult } from '../key-store'
import { decodeHeaders } from '../stored-answer'

/** The columns a claim returns. Integers may come back as strings (pg's bigint). */
export interface ClaimRow {
  mine: boolean | number
  state: string
  fingerprint: string
  locked_until: number | string
  status: number | null
  headers: string | null
  body: Buffer | Uint8Array | null
}

/** What the row says. */
export function toClaimResult(row: ClaimRow): ClaimResult {
  if (row.mine === true || row.mine === 1) return { kind: 'claimed' }
  if (row.state === 'done' && row.status !== null) {
    const body = row.body === null ? Buffer.alloc(0) : Buffer.from(row.body)
    return { kind: 'done', fingerprint: row.fingerprint, answer: { status: row.status, headers: decodeHeaders(row.headers), body } }
  }
  return { kind: 'in-progress', fingerprint: row.fingerprint, lockedUntil: Number(row.locked_until) }
}
