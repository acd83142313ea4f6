/**
 * The multi-instance story: app processes behind a round-robin proxy share
 * one PostgreSQL (and, apart, one Redis); SDK clients on emulated phones
 * send actions while a duplicator re-sends captured requests concurrently
 * and app processes are SIGKILLed mid-request and restarted. Every action
 * must be applied exactly once.
 *
 * `MULTI_INSTANCE_CHAOS=1` plays a longer day (more phones, actions, kills).
 */
import { randomUUID } from 'crypto'
import * as http from 'http'
import { Pool } from 'pg'
import { createOffline, createWxPlatform, type OfflineClient } from 'miniprogram-offline'
import { postgresStore } from 'miniprogram-offline/server'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { startCluster, type AppCluster } from './support/app-cluster'
import { startPostgres, type PostgresServer } from './support/postgres-server'
import { startRedis, type RedisServer } from './support/redis-server'

const CHAOS = process.env.MULTI_INSTANCE_CHAOS === '1'
const PLAN = CHAOS ? { phones: 6, actions: 60, kills: 20, instances: 3 } : { phones: 3, actions: 12, kills: 3, instances: 2 }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Phone {
  emu: WxEmulator
  client: OfflineClient
}

function phone(n: number, headers: () => Record<string, string>): Phone {
  const emu = createWxEmulator()
  const client = createOffline({
    namespace: `multi:${n}`,
    headers,
    retry: { baseDelayMs: 100, maxDelayMs: 800 },
    platform: createWxPlatform(emu.wx, { clock: emu.clock }),
  })
  return { emu, client }
}

/** Re-sends a captured write with its key, as a second device or a proxy retry would. */
function resend(url: string, write: { key: string; body: Buffer }): Promise<{ status: number; replayed: boolean }> {
  return new Promise((resolve) => {
    const request = http.request(`${url}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': write.key }, agent: false }, (answer) => {
      answer.resume()
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, replayed: answer.headers['idempotent-replayed'] === 'true' }))
      answer.on('error', () => resolve({ status: 0, replayed: false }))
    })
    request.on('error', () => resolve({ status: 0, replayed: false }))
    request.end(write.body)
  })
}

/** One captured write per key. */
const uniqueWrites = (cluster: AppCluster): Array<{ key: string; body: Buffer }> => [...new Map(cluster.writes.map((w) => [w.key, w])).values()]

const pending = (phones: Phone[]): number => phones.reduce((sum, p) => sum + p.client.status.get().pending, 0)

/**
 * Plays the day: every phone sends its actions; meanwhile duplicates fly and
 * `chaos()` kills instances. Then drains, and replays every captured write
 * once more. @returns the action ids sent.
 */
async function playDay(cluster: AppCluster, phones: Phone[], chaos: () => Promise<void>): Promise<{ actions: string[]; duplicateStatuses: number[] }> {
  const actions: string[] = []
  const duplicateStatuses: number[] = []
  let playing = true
  const duplicator = (async () => {
    while (playing) {
      const picked = cluster.writes[Math.floor(Math.random() * cluster.writes.length)]
      if (picked) {
        const answers = await Promise.all([resend(cluster.url, picked), resend(cluster.url, picked), resend(cluster.url, picked)])
        duplicateStatuses.push(...answers.map((a) => a.status))
      }
      await sleep(30)
    }
  })()
  const chaotic = chaos()
  await Promise.all(
    phones.map(async (p) => {
      for (let i = 0; i < PLAN.actions; i += 1) {
        const actionId = randomUUID()
        actions.push(actionId)
        await p.client.request({ url: `${cluster.url}/actions`, method: 'POST', data: { actionId } })
        await sleep(80) // spreads the sends over the kills
      }
    }),
  )
  await chaotic
  const deadline = Date.now() + (CHAOS ? 120_000 : 40_000)
  while (pending(phones) > 0 && Date.now() < deadline) {
    for (const p of phones) {
      p.emu.clock.advance(1000)
      void p.client.flush()
    }
    await sleep(150)
  }
  playing = false
  await duplicator
  return { actions, duplicateStatuses }
}

function expectExactlyOnce(actions: string[], applied: string[]): void {
  const counts = new Map<string, number>()
  for (const id of applied) counts.set(id, (counts.get(id) ?? 0) + 1)
  const twice = [...counts].filter(([, n]) => n > 1)
  const missing = actions.filter((id) => !counts.has(id))
  expect({ twice, missing, strangers: applied.filter((id) => !actions.includes(id)) }).toEqual({ twice: [], missing: [], strangers: [] })
  expect(applied).toHaveLength(actions.length)
}

async function readApplied(url: string): Promise<string[]> {
  for (;;) {
    const response = await fetch(`${url}/actions`).catch(() => undefined)
    if (response?.status === 200) return (await response.json()) as string[]
    await sleep(100)
  }
}

async function settle(phones: Phone[], cluster: AppCluster): Promise<void> {
  for (const p of phones) {
    p.client.close()
    await p.emu.dispose()
  }
  await cluster.stop()
}

describe('several app instances on one PostgreSQL, transactional mode', () => {
  let server: PostgresServer
  let pool: Pool

  beforeAll(async () => {
    server = await startPostgres()
    pool = new Pool({ connectionString: server.url })
    await pool.query('CREATE TABLE actions (id SERIAL PRIMARY KEY, action_id TEXT NOT NULL)')
    await postgresStore(pool).setup()
  }, 30000)

  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  it('applies every action exactly once through kills at any instant, duplicates and concurrent retries', async () => {
    const cluster = await startCluster({ instances: PLAN.instances, env: { STORE: 'postgres', PG_URL: server.url, LEASE_MS: '1500' } })
    const phones = Array.from({ length: PLAN.phones }, (_, n) => phone(n, () => ({})))
    try {
      const { actions, duplicateStatuses } = await playDay(cluster, phones, async () => {
        for (let k = 0; k < PLAN.kills; k += 1) {
          await sleep(200 + Math.random() * 300)
          await cluster.killOne()
        }
      })
      expect(pending(phones)).toBe(0)
      expect(phones.map((p) => p.client.status.get().deadLetters)).toEqual(phones.map(() => 0))
      expect(cluster.kills()).toBeGreaterThanOrEqual(PLAN.kills)
      expect(cluster.cut()).toBeGreaterThan(0) // kills landed mid-request
      // Duplicates are answered with the replay, 409 while in progress, or 502/no answer from a dying instance: never applied again, never refused.
      expect(duplicateStatuses.filter((s) => ![0, 201, 409, 502].includes(s))).toEqual([])
      await cluster.settled()
      const final = await Promise.all(uniqueWrites(cluster).map((write) => resend(cluster.url, write)))
      expect(final.filter((a) => a.status !== 201 || !a.replayed)).toEqual([])
      expectExactlyOnce(actions, (await pool.query<{ action_id: string }>('SELECT action_id FROM actions')).rows.map((r) => r.action_id))
    } finally {
      await settle(phones, cluster)
    }
  }, CHAOS ? 300_000 : 90_000)
})

describe('several app instances on one Redis', () => {
  let server: RedisServer

  beforeAll(async () => {
    server = await startRedis()
  }, 20000)

  afterAll(async () => {
    await server?.stop()
  })

  it('applies every action exactly once through processes dying mid-request, duplicates and concurrent retries', async () => {
    const cluster = await startCluster({ instances: PLAN.instances, env: { STORE: 'redis', REDIS_URL: server.url, LEASE_MS: '1500' } })
    let deaths = 0
    // Some attempts carry `x-die`: their process kills itself mid-request, before the write.
    const headers = (): Record<string, string> => (deaths < PLAN.kills && Math.random() < 0.15 ? (deaths++, { 'x-die': '1' }) : {})
    const phones = Array.from({ length: PLAN.phones }, (_, n) => phone(n, headers))
    try {
      const { actions, duplicateStatuses } = await playDay(cluster, phones, async () => undefined)
      expect(pending(phones)).toBe(0)
      expect(cluster.kills()).toBeGreaterThanOrEqual(1)
      expect(duplicateStatuses.filter((s) => ![0, 201, 409, 502].includes(s))).toEqual([])
      await cluster.settled()
      const final = await Promise.all(uniqueWrites(cluster).map((write) => resend(cluster.url, write)))
      expect(final.filter((a) => a.status !== 201 || !a.replayed)).toEqual([])
      expectExactlyOnce(actions, await readApplied(cluster.url))
    } finally {
      await settle(phones, cluster)
    }
  }, CHAOS ? 300_000 : 90_000)
})
