/** Sends a batch over real HTTP, as the client does. */
import type { BatchEntry, BatchResponseBody } from 'miniprogram-offline/server'

/** What came back: the status and the JSON body. */
export interface BatchReply {
  status: number
  body: BatchResponseBody & { error?: string }
}

/** Alice's auth, the default caller. */
export const ALICE = { authorization: 'Bearer token-alice' }

/** POSTs `entries` (or a raw body) to `url` with `headers`. */
export async function postBatch(url: string, entries: Array<Partial<BatchEntry>> | string, headers: Record<string, string> = ALICE): Promise<BatchReply> {
  const body = typeof entries === 'string' ? entries : JSON.stringify({ entries })
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const text = await response.text()
  return { status: response.status, body: JSON.parse(text) as BatchReply['body'] }
}

/** A visit entry: POST /visits in `lane`. */
export function visit(key: string, customer: string, lane = '', headers: Record<string, string> = {}): BatchEntry {
  return { key, lane, method: 'POST', path: '/visits', headers: { 'Content-Type': 'application/json', ...headers }, body: { customer } }
}
