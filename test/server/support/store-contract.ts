/**
 * The behaviour every store must show through the middleware, written once
 * and run by each store's suite against its real server.
 */
import { randomUUID } from 'crypto'
import type { IdempotencyStore } from 'miniprogram-offline/server'
import { post, startOrdersApp, type Adapter, type OrdersApp } from './orders-app'

/** How a suite makes a fresh store (its own table or prefix, so tests do not meet). */
export type StoreFactory = () => IdempotencyStore | Promise<IdempotencyStore>

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Defines the contract's tests for one store, served by `adapter`. */
export function describeStoreContract(name: string, makeStore: StoreFactory, adapter: Adapter = 'express'): void {
  describe(`${name} store through the ${adapter} adapter`, () => {
    const apps: OrdersApp[] = []
    const start = async (options: { required?: boolean; leaseMs?: number; retentionMs?: number } = {}): Promise<OrdersApp & { store: IdempotencyStore }> => {
      const store = await makeStore()
      const app = await startOrdersApp({ store, adapter, ...options })
      apps.push(app)
      return { ...app, url: `${app.url}/orders`, store }
    }
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()))
    })

    it('replays a finished request exactly (status, body, chosen headers) and applies it once', async () => {
      const app = await start()
      const key = randomUUID()
      const first = await post(app.url, { item: 'tea' }, key)
      const again = await post(app.url, { item: 'tea' }, key)

      expect(first.status).toBe(201)
      expect(first.replayed).toBe(false)
      expect(again).toMatchObject({ status: 201, text: first.text, replayed: true })
      expect(again.headers.get('location')).toBe(first.headers.get('location'))
      expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'))
      expect(app.applied).toHaveLength(1)
    })

    it('answers 422 to the key with another body, and applies nothing more', async () => {
      const app = await start()
      const key = randomUUID()
      await post(app.url, { item: 'tea' }, key)
      const other = await post(app.url, { item: 'coffee' }, key)

      expect(other.status).toBe(422)
      expect(JSON.parse(other.text)).toEqual({ error: 'idempotency key reused with a different payload' })
      expect(app.applied).toHaveLength(1)
    })

    it('answers 409 with Retry-After to a duplicate while the first runs, then replays', async () => {
      const app = await start()
      const key = randomUUID()
      const first = post(app.url, { item: 'slow' }, key, { delayMs: 400 })
      await sleep(150)
      const duplicate = await post(app.url, { item: 'slow' }, key)

      expect(duplicate.status).toBe(409)
      expect(duplicate.headers.get('retry-after')).toBe('1')
      expect((await first).status).toBe(201)
      expect((await post(app.url, { item: 'slow' }, key)).replayed).toBe(true)
      expect(app.applied).toHaveLength(1)
    })

    it('applies N concurrent duplicates once; the others get 409 or the replay', async () => {
      const app = await start()
      const key = randomUUID()
      const replies = await Promise.all(Array.from({ length: 8 }, () => post(app.url, { item: 'rush' }, key, { delayMs: 50 })))

      expect(app.applied).toHaveLength(1)
      const fresh = replies.filter((reply) => reply.status === 201 && !reply.replayed)
      expect(fresh).toHaveLength(1)
      for (const reply of replies) {
        if (reply.status === 201) expect(reply.text).toBe(fresh[0].text)
        else expect(reply.status).toBe(409)
      }
    })

    it('stores no 5xx and no throw: the retry runs afresh', async () => {
      const app = await start()
      const key = randomUUID()
      const failed = await post(app.url, { item: 'x', fail: 503 }, key)
      expect(failed.status).toBe(503)
      // The same key and body again: the body decides; fail is part of it, so send the same and see it run again.
      const failedAgain = await post(app.url, { item: 'x', fail: 503 }, key)
      expect(failedAgain).toMatchObject({ status: 503, replayed: false })

      const throwKey = randomUUID()
      expect((await post(app.url, { item: 'y', throws: true }, throwKey)).status).toBe(500)
      expect((await post(app.url, { item: 'y', throws: true }, throwKey)).replayed).toBe(false)
      expect(app.applied).toHaveLength(0)
    })

    it('stores a 4xx refusal and replays it', async () => {
      const app = await start()
      const key = randomUUID()
      const refused = await post(app.url, { item: 'z', status: 400 }, key)
      const again = await post(app.url, { item: 'z', status: 400 }, key)
      expect(refused.status).toBe(400)
      expect(again).toMatchObject({ status: 400, replayed: true, text: refused.text })
    })

    it('frees a claim whose holder died once its lease runs out', async () => {
      const app = await start({ leaseMs: 300 })
      const key = randomUUID()
      // A holder that claims and never settles, as a process killed mid-request leaves it.
      void post(app.url, { item: 'orphan' }, key, { hang: true }).catch(() => undefined)
      await sleep(100)
      expect((await post(app.url, { item: 'orphan' }, key)).status).toBe(409)
      await sleep(350)
      const retry = await post(app.url, { item: 'orphan' }, key)
      expect(retry).toMatchObject({ status: 201, replayed: false })
      expect((await post(app.url, { item: 'orphan' }, key)).replayed).toBe(true)
      expect(app.applied).toHaveLength(1)
    })

    it('passes a request without a key through, or answers 400 when a key is required', async () => {
      const open = await start()
      await post(open.url, { item: 'a' })
      await post(open.url, { item: 'a' })
      expect(open.applied).toHaveLength(2)

      const strict = await start({ required: true })
      const refused = await post(strict.url, { item: 'a' })
      expect(refused.status).toBe(400)
      expect(strict.applied).toHaveLength(0)
    })

    it('scopes keys per user: the same key from two users is two requests', async () => {
      const app = await start()
      const key = randomUUID()
      const alice = await post(app.url, { item: 'tea' }, key, { user: 'alice' })
      const bob = await post(app.url, { item: 'tea' }, key, { user: 'bob' })
      expect([alice.replayed, bob.replayed]).toEqual([false, false])
      expect(app.applied).toHaveLength(2)
    })

    it('forgets keys past the retention', async () => {
      const app = await start({ retentionMs: 200 })
      const key = randomUUID()
      await post(app.url, { item: 'old' }, key)
      await sleep(350)
      await app.store.purge(Date.now() - 200, Date.now())
      const again = await post(app.url, { item: 'old' }, key)
      expect(again.replayed).toBe(false)
      expect(app.applied).toHaveLength(2)
    })
  })
}
