/** The Redis store against a real redis-server started for this file, with node-redis and with ioredis. */
import Redis from 'ioredis'
import { createClient } from 'redis'
import { redisStore } from 'miniprogram-offline/server'
import { startRedis, type RedisServer } from './support/redis-server'
import { describeStoreContract } from './support/store-contract'

let server: RedisServer
let nodeRedis: ReturnType<typeof createClient>
let ioRedis: Redis
let prefixes = 0

beforeAll(async () => {
  server = await startRedis()
  nodeRedis = createClient({ url: server.url })
  await nodeRedis.connect()
  ioRedis = new Redis(server.url)
}, 20000)

afterAll(async () => {
  await nodeRedis?.quit()
  await ioRedis?.quit()
  await server?.stop()
})

describeStoreContract('redis (node-redis)', () => redisStore(nodeRedis, { prefix: `t${++prefixes}:` }), 'express')
describeStoreContract('redis (ioredis)', () => redisStore(ioRedis, { prefix: `t${++prefixes}:` }), 'koa')

describe('redis store', () => {
  it('keeps a finished key for the retention, then Redis expires it', async () => {
    const store = redisStore(ioRedis, { prefix: 'ttl:' })
    await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 't', now: Date.now(), leaseMs: 10_000 })
    await store.complete({ id: 'a', token: 't', now: Date.now(), retentionMs: 8 * 24 * 3600 * 1000 }, { status: 201, headers: {}, body: Buffer.from('ok') })
    const ttl = await ioRedis.pttl('ttl:a')
    expect(ttl).toBeGreaterThan(7 * 24 * 3600 * 1000)
    expect(await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 'u', now: Date.now(), leaseMs: 10_000 })).toMatchObject({ kind: 'done', fingerprint: 'f' })
  })

  it('does not let a stale holder complete or release a key another attempt holds', async () => {
    const store = redisStore(nodeRedis, { prefix: 'stale:' })
    await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 'old', now: Date.now(), leaseMs: 100 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 'new', now: Date.now(), leaseMs: 10_000 })).toEqual({ kind: 'claimed' })
    expect(await store.complete({ id: 'a', token: 'old', now: Date.now(), retentionMs: 1000 }, { status: 201, headers: {}, body: Buffer.alloc(0) })).toBe(false)
    await store.release('a', 'old')
    expect(await store.claim({ id: 'a', key: 'k', fingerprint: 'f', token: 'third', now: Date.now(), leaseMs: 10_000 })).toMatchObject({ kind: 'in-progress' })
  })
})
