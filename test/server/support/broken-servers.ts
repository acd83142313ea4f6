/**
 * Deliberately broken Idempotency-Key servers, one flaw each, so the
 * conformance tests can prove the kit catches every violation. Plain
 * `node:http`, keys in a Map; each write takes `delayMs` so duplicates can
 * overlap it. `POST /orders` writes, `GET /count` counts, `x-fail: 1`
 * answers 503.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'

/** The one thing a server gets wrong (or `none`, the reference behaviour). */
export type Flaw =
  | 'none'
  /** Ignores the key: every attempt applies. */
  | 'ignores-key'
  /** Stores the answer but replays another body. */
  | 'replay-differs'
  /** Looks the key up, runs the write, then stores: no claim, so concurrent duplicates all apply. */
  | 'racy'
  /** Answers a duplicate in progress with 200 `{ pending: true }`. */
  | 'in-progress-200'
  /** Answers a duplicate in progress with 400 (the SDK would dead-letter it). */
  | 'in-progress-400'
  /** Does not compare payloads: another body under the key gets the first answer. */
  | 'no-fingerprint'
  /** Stores 5xx answers and replays them. */
  | 'caches-5xx'
  /** Refuses keys with a colon (the SDK's task steps send `<key>:<n>`). */
  | 'rejects-step-keys'

/** A running broken server. */
export interface BrokenServer {
  /** The write endpoint. */
  url: string
  countUrl: string
  close(): Promise<void>
}

interface Entry {
  body: string
  state: 'running' | 'done'
  status?: number
  answer?: string
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function readAll(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk.toString()))
    request.on('end', () => resolve(text))
  })
}

/** Starts a server with one flaw. */
export async function startBrokenServer(flaw: Flaw, delayMs = 120): Promise<BrokenServer> {
  const keys = new Map<string, Entry>()
  let applied = 0
  const send = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(body)
  }
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET') return send(res, 200, JSON.stringify({ count: applied }))
    const body = await readAll(req)
    const key = req.headers['idempotency-key'] as string | undefined
    const fail = req.headers['x-fail'] !== undefined
    const run = async (): Promise<{ status: number; answer: string }> => {
      await sleep(delayMs)
      if (fail) return { status: 503, answer: '{"error":"failed"}' }
      applied += 1
      return { status: 201, answer: JSON.stringify({ id: applied }) }
    }
    if (key === undefined || flaw === 'ignores-key') {
      const { status, answer } = await run()
      return send(res, status, answer)
    }
    if (flaw === 'rejects-step-keys' && key.includes(':')) return send(res, 400, '{"error":"bad key"}')
    const found = keys.get(key)
    if (found) {
      if (found.body !== body && flaw !== 'no-fingerprint') return send(res, 422, '{"error":"mismatch"}')
      if (found.state === 'running') {
        if (flaw === 'in-progress-200') return send(res, 200, '{"pending":true}')
        if (flaw === 'in-progress-400') return send(res, 400, '{"error":"duplicate"}')
        return send(res, 409, '{"error":"in progress"}', { 'retry-after': '1' })
      }
      const answer = flaw === 'replay-differs' ? JSON.stringify({ replayedAt: Date.now() }) : found.answer!
      return send(res, found.status!, answer, { 'idempotent-replayed': 'true' })
    }
    if (flaw === 'racy') {
      const { status, answer } = await run()
      keys.set(key, { body, state: 'done', status, answer })
      return send(res, status, answer)
    }
    const entry: Entry = { body, state: 'running' }
    keys.set(key, entry)
    const { status, answer } = await run()
    if (status >= 500 && flaw !== 'caches-5xx') keys.delete(key)
    else Object.assign(entry, { state: 'done', status, answer })
    send(res, status, answer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${base}/orders`,
    countUrl: `${base}/count`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
