/**
 * One app instance for the multi-instance test, run as its own process:
 * `POST /actions` behind the idempotency middleware on a shared store, and
 * `GET /applied` listing every applied action id (duplicates included).
 *
 * - `STORE=postgres`: keys and the `actions` table in one PostgreSQL, in
 *   transactional mode: the insert and the key's answer commit together,
 *   so a SIGKILL at any instant is safe.
 * - `STORE=redis`: keys in Redis, the action appended to a Redis list just
 *   before the answer is stored (the window the guide describes). A request
 *   with `x-die: 1` kills its own process before the write: a crash
 *   mid-request at a point where Redis can promise exactly-once.
 *
 * Prints `listening <port>` once ready.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'
import { Pool, type PoolClient } from 'pg'
import { createClient } from 'redis'
import { postgresStore, redisStore, withIdempotency, type IdempotencyStore, type IdempotentRequest } from '../../../../sdk/server'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const LEASE_MS = Number(process.env.LEASE_MS ?? 1500)

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function main(): Promise<void> {
  let store: IdempotencyStore
  let handle: (req: IdempotentRequest, res: http.ServerResponse) => Promise<void>
  let applied: () => Promise<string[]>

  if (process.env.STORE === 'postgres') {
    const pool = new Pool({ connectionString: process.env.PG_URL, max: 10 })
    const pgStore = postgresStore(pool)
    store = pgStore
    handle = async (req) => {
      const { actionId } = req.body as { actionId: string }
      await sleep(20 + Math.random() * 60)
      await req.idempotency!.transaction(async (tx: PoolClient) => {
        await tx.query('INSERT INTO actions (action_id) VALUES ($1)', [actionId])
        await sleep(Math.random() * 30) // a kill may land here, inside the open transaction
        return { status: 201, body: { actionId, pid: process.pid } }
      })
    }
    applied = async () => (await pool.query<{ action_id: string }>('SELECT action_id FROM actions')).rows.map((row) => row.action_id)
  } else {
    const client = createClient({ url: process.env.REDIS_URL })
    await client.connect()
    store = redisStore(client)
    // Requests between their write and their stored answer: the window no kill may land in here.
    let inWindow = 0
    handle = async (req, res) => {
      const { actionId } = req.body as { actionId: string }
      await sleep(20 + Math.random() * 60)
      if (req.headers['x-die'] === '1') {
        while (inWindow > 0) await sleep(1)
        process.kill(process.pid, 'SIGKILL') // synchronous: no other request runs between the check and the kill
      }
      inWindow += 1
      res.once('close', () => (inWindow -= 1)) // the middleware sends only after the answer is stored
      await client.rPush('applied', actionId)
      send(res, 201, { actionId, pid: process.pid })
    }
    applied = () => client.lRange('applied', 0, -1)
  }

  const server = http.createServer(
    withIdempotency({ store, leaseMs: LEASE_MS, required: true }, async (req: IdempotentRequest, res) => {
      if (req.method === 'GET') return send(res, 200, await applied())
      await handle(req, res)
    }),
  )
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`))
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
