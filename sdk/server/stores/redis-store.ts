/**
 * `redisStore(client)`: keys in Redis, shared by every instance of the app,
 * with node-redis (v4 and later) or ioredis. Each call is one Lua script,
 * atomic on the Redis server.
 *
 * What it does not do: Redis cannot share a transaction with the app's own
 * database. Between the business write committing and the answer being
 * stored there is a window (one round trip); a crash inside it leaves the
 * write applied and the key in progress, and once the lease runs out the
 * retry applies the write again. Make the write itself idempotent (a unique
 * constraint on the key) where that window matters, or use a SQL store's
 * transactional mode.
 */
import { InvalidArgumentError } from '../../errors'
import type { ClaimRequest, ClaimResult, HeldKey, IdempotencyStore } from '../key-store'
import { decodeHeaders, encodeHeaders, type StoredAnswer } from '../stored-answer'

/** A node-redis client (`createClient()` from `redis` v4 and later), as much as the store uses. */
export interface NodeRedisClientLike {
  isOpen: boolean
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** An ioredis client, as much as the store uses. */
export interface IoRedisClientLike {
  status: string
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>
}

/** Either client. */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key the store writes. Default `idempotency:`. */
  prefix?: string
}

/** What a key's value holds (JSON). */
interface RedisRecord {
  /** `p`: in progress; `d`: done. */
  s: 'p' | 'd'
  f: string
  t?: string
  u?: number
  st?: number
  h?: string
  b?: string
  c: number
}

// An in-progress record expires with its lease: a dead holder's claim just disappears.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`

// The answer keeps the claim's fingerprint and first arrival, read here rather than trusted from the caller.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local r = cjson.decode(v)
if r.s ~= 'p' or r.t ~= ARGV[1] then return 0 end
local n = cjson.decode(ARGV[2])
n.f = r.f
n.c = r.c
redis.call('SET', KEYS[1], cjson.encode(n), 'PX', ARGV[3])
return 1`

const RELEASE = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local r = cjson.decode(v)
if r.s ~= 'p' or r.t ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`

function isIoRedis(client: RedisClientLike): client is IoRedisClientLike {
  return typeof (client as IoRedisClientLike).status === 'string' && !('isOpen' in client)
}

/**
 * A store in Redis. Finished keys expire by themselves after the retention
 * (counted from completion), so `purge` has nothing to do.
 *
 * @example
 * ```ts
 * const client = await createClient({ url }).connect()   // or new Redis(url) with ioredis
 * app.use(idempotency({ store: redisStore(client) }))
 * ```
 * @throws InvalidArgumentError when `client` is neither a node-redis nor an ioredis client.
 */
export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): IdempotencyStore {
  if (typeof client !== 'object' || client === null || typeof client.eval !== 'function') {
    throw new InvalidArgumentError('redisStore needs a node-redis or ioredis client')
  }
  const prefix = options.prefix ?? 'idempotency:'
  if (typeof prefix !== 'string') throw new InvalidArgumentError('prefix must be a string')

  const run = (script: string, key: string, args: string[]): Promise<unknown> =>
    isIoRedis(client) ? client.eval(script, 1, key, ...args) : client.eval(script, { keys: [key], arguments: args })

  return {
    kind: 'redis',
    async claim(request: ClaimRequest): Promise<ClaimResult> {
      const record: RedisRecord = { s: 'p', f: request.fingerprint, t: request.token, u: request.now + request.leaseMs, c: request.now }
      const found = await run(CLAIM, prefix + request.id, [JSON.stringify(record), String(Math.ceil(request.leaseMs))])
      if (found === null || found === undefined) return { kind: 'claimed' }
      const stored = JSON.parse(String(found)) as RedisRecord
      if (stored.s === 'd') {
        const answer: StoredAnswer = { status: stored.st ?? 200, headers: decodeHeaders(stored.h), body: Buffer.from(stored.b ?? '', 'base64') }
        return { kind: 'done', fingerprint: stored.f, answer }
      }
      return { kind: 'in-progress', fingerprint: stored.f, lockedUntil: stored.u ?? 0 }
    },
    async complete(held: HeldKey, answer: StoredAnswer) {
      const record: RedisRecord = { s: 'd', f: '', st: answer.status, h: encodeHeaders(answer.headers), b: answer.body.toString('base64'), c: held.now }
      const done = await run(COMPLETE, prefix + held.id, [held.token, JSON.stringify(record), String(Math.ceil(held.retentionMs))])
      return Number(done) === 1
    },
    async release(id, token) {
      await run(RELEASE, prefix + id, [token])
    },
    async purge() {
      return 0
    },
  }
}
