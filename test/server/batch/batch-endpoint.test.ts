/**
 * The batch endpoint on a real Express app over loopback: each entry runs
 * through the app's own routes, under its own key, with the idempotency
 * middleware on a real SQLite file.
 */
import { randomUUID } from 'crypto'
import { ALICE, postBatch, visit } from './support/post-batch'
import { startVisitsApp, type VisitsApp, type VisitsAppOptions } from './support/visits-app'

const apps: VisitsApp[] = []
const start = async (options: VisitsAppOptions = {}): Promise<VisitsApp> => {
  const app = await startVisitsApp(options)
  apps.push(app)
  return app
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const keys = (n: number): string[] => Array.from({ length: n }, () => randomUUID())

describe('a lane', () => {
  it("runs its entries in order through the app's routes and answers one result per entry, in order", async () => {
    const app = await start()
    const [a, b, c] = keys(3)
    const reply = await postBatch(app.batchUrl, [visit(a, 'c1'), { ...visit(b, 'c2'), path: '/visits?source=batch' }, visit(c, 'c3')])

    expect(reply.status).toBe(200)
    expect(reply.body.results.map((r) => r.key)).toEqual([a, b, c])
    expect(reply.body.results.map((r) => ('status' in r ? r.status : 'not attempted'))).toEqual([201, 201, 201])
    const [first, second] = reply.body.results
    expect(first).toMatchObject({ headers: { 'content-type': 'application/json; charset=utf-8', location: expect.stringMatching(/^\/visits\/\d+$/) }, body: { user: 'alice', customer: 'c1' } })
    expect(second).toMatchObject({ body: { customer: 'c2', query: { source: 'batch' } } })
    expect('content-length' in (first as { headers: Record<string, string> }).headers).toBe(false)
    expect(app.visits().map((v) => [v.customer, v.key])).toEqual([['c1', a], ['c2', b], ['c3', c]])
  })

  it('stops at its first answer that is not 2xx: later entries are not attempted and not applied', async () => {
    const app = await start()
    const [a, b, c, d] = keys(4)
    const reply = await postBatch(app.batchUrl, [visit(a, 'c1'), visit(b, 'c2', '', { 'X-Fail': '422' }), visit(c, 'c3'), visit(d, 'c4')])

    expect(reply.status).toBe(200)
    expect(reply.body.results).toEqual([
      expect.objectContaining({ key: a, status: 201 }),
      expect.objectContaining({ key: b, status: 422, body: { error: 'refused on purpose' } }),
      { key: c, notAttempted: true },
      { key: d, notAttempted: true },
    ])
    expect(app.visits().map((v) => v.customer)).toEqual(['c1'])
  })

  it('stops at a 404 for a path the app does not have, and at a nested batch', async () => {
    const app = await start()
    const [a, b, c, d] = keys(4)
    const reply = await postBatch(app.batchUrl, [
      { ...visit(a, 'c1', 'x'), path: '/nowhere' },
      visit(b, 'c2', 'x'),
      { key: c, lane: 'y', method: 'POST', path: '/batch', headers: {}, body: { entries: [visit(randomUUID(), 'inner')] } },
      visit(d, 'c4', 'y'),
    ])

    expect(reply.body.results).toEqual([
      expect.objectContaining({ key: a, status: 404 }),
      { key: b, notAttempted: true },
      expect.objectContaining({ key: c, status: 400, body: { error: 'a batch cannot contain a batch' } }),
      { key: d, notAttempted: true },
    ])
    expect(app.visits()).toEqual([])
  })
})

describe('lanes', () => {
  it('are independent: a stopped lane leaves the others running; results stay in request order', async () => {
    const app = await start()
    const [a1, b1, c1, a2, b2, c2, a3] = keys(7)
    const reply = await postBatch(app.batchUrl, [
      visit(a1, 'a1', 'A'),
      visit(b1, 'b1', 'B', { 'X-Fail': '409' }),
      visit(c1, 'c1', ''),
      visit(a2, 'a2', 'A'),
      visit(b2, 'b2', 'B'),
      visit(c2, 'c2', ''),
      visit(a3, 'a3', 'A'),
    ])

    expect(reply.body.results.map((r) => r.key)).toEqual([a1, b1, c1, a2, b2, c2, a3])
    expect(reply.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 409, 201, 201, '-', 201, 201])
    const written = app.visits().map((v) => v.customer)
    expect(written.filter((c) => c.startsWith('a'))).toEqual(['a1', 'a2', 'a3'])
    expect(written.filter((c) => c.startsWith('c'))).toEqual(['c1', 'c2'])
    expect(written).not.toContain('b2')
  })

  it('run concurrently by default, and one after another in order of first appearance with laneConcurrency 1', async () => {
    const concurrent = await start()
    const slow = (lane: string): ReturnType<typeof visit> => visit(randomUUID(), lane, lane, { 'X-Delay-Ms': '150' })
    await postBatch(concurrent.batchUrl, [slow('L1'), slow('L2'), slow('L3')])
    expect(concurrent.maxInFlight()).toBeGreaterThan(1)

    const serial = await start({ laneConcurrency: 1 })
    await postBatch(serial.batchUrl, [slow('L2'), slow('L1'), visit(randomUUID(), 'L2b', 'L2'), slow('L3')])
    expect(serial.maxInFlight()).toBe(1)
    expect(serial.visits().map((v) => v.customer)).toEqual(['L2', 'L2b', 'L1', 'L3'])
  })
})

describe('idempotency, per sub-request', () => {
  it('a replayed batch gets the same answers, marked as replays, and has no second effect', async () => {
    const app = await start()
    const entries = [visit(randomUUID(), 'c1', 'A'), visit(randomUUID(), 'c2', 'A'), visit(randomUUID(), 'c3', 'B')]
    const first = await postBatch(app.batchUrl, entries)
    const again = await postBatch(app.batchUrl, entries)

    expect(app.visits()).toHaveLength(3)
    expect(again.body.results.map((r) => ('body' in r ? [r.status, r.body] : r))).toEqual(first.body.results.map((r) => ('body' in r ? [r.status, r.body] : r)))
    for (const result of again.body.results) expect(result).toMatchObject({ headers: { 'idempotent-replayed': 'true' } })
    for (const result of first.body.results) expect((result as { headers: Record<string, string> }).headers['idempotent-replayed']).toBeUndefined()
  })

  it('shares its memory with single requests: an entry first sent alone is replayed in a batch', async () => {
    const app = await start()
    const key = randomUUID()
    const alone = await fetch(`${app.origin}/visits`, { method: 'POST', headers: { ...ALICE, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ customer: 'c1' }) })
    const reply = await postBatch(app.batchUrl, [visit(key, 'c1'), visit(randomUUID(), 'c2')])

    expect(alone.status).toBe(201)
    expect(reply.body.results[0]).toMatchObject({ status: 201, body: await alone.json(), headers: { 'idempotent-replayed': 'true' } })
    expect(reply.body.results[1]).toMatchObject({ status: 201 })
    expect(app.visits().map((v) => v.customer)).toEqual(['c1', 'c2'])
  })

  it('answers 422 to a key reused with another payload, and 409 with Retry-After while the first still runs', async () => {
    const app = await start()
    const reused = randomUUID()
    await postBatch(app.batchUrl, [visit(reused, 'first')])
    const slowKey = randomUUID()
    const slow = fetch(`${app.origin}/visits`, { method: 'POST', headers: { ...ALICE, 'content-type': 'application/json', 'idempotency-key': slowKey, 'x-delay-ms': '600' }, body: JSON.stringify({ customer: 'slow' }) })
    await sleep(150)
    const reply = await postBatch(app.batchUrl, [visit(reused, 'other', 'A'), visit(slowKey, 'slow', 'B'), visit(randomUUID(), 'after', 'B')])

    expect(reply.body.results).toEqual([
      expect.objectContaining({ status: 422, body: { error: 'idempotency key reused with a different payload' } }),
      expect.objectContaining({ status: 409, headers: expect.objectContaining({ 'retry-after': '1' }) }),
      { key: reply.body.results[2].key, notAttempted: true },
    ])
    expect((await slow).status).toBe(201)
    const retried = await postBatch(app.batchUrl, [visit(slowKey, 'slow', 'B')])
    expect(retried.body.results[0]).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } })
    expect(app.visits().map((v) => v.customer)).toEqual(['first', 'slow'])
  })

  it('a sub-request 5xx is a result, not a batch failure, and is not remembered: the retry runs afresh', async () => {
    const app = await start()
    const [a, b] = keys(2)
    const failed = await postBatch(app.batchUrl, [visit(a, 'c1', '', { 'X-Fail': '503' }), visit(b, 'c2')])
    expect(failed.status).toBe(200)
    expect(failed.body.results).toEqual([expect.objectContaining({ key: a, status: 503 }), { key: b, notAttempted: true }])
    expect(app.visits()).toEqual([])

    const retried = await postBatch(app.batchUrl, [visit(a, 'c1'), visit(b, 'c2')])
    expect(retried.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 201])
    expect((retried.body.results[0] as { headers: Record<string, string> }).headers['idempotent-replayed']).toBeUndefined()
    expect(app.visits().map((v) => v.key)).toEqual([a, b])
  })

  it('a sub-request slower than entryTimeoutMs is a 504 result that stops its lane; its answer is still remembered for the retry', async () => {
    const app = await start({ entryTimeoutMs: 200 })
    const [a, b] = keys(2)
    const reply = await postBatch(app.batchUrl, [visit(a, 'slow', '', { 'X-Delay-Ms': '700' }), visit(b, 'next')])
    expect(reply.body.results).toEqual([expect.objectContaining({ key: a, status: 504 }), { key: b, notAttempted: true }])

    const during = await postBatch(app.batchUrl, [visit(a, 'slow'), visit(b, 'next')])
    expect(during.body.results[0]).toMatchObject({ status: 409 })
    await sleep(800)
    const after = await postBatch(app.batchUrl, [visit(a, 'slow'), visit(b, 'next')])
    expect(after.body.results[0]).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } })
    expect(after.body.results[1]).toMatchObject({ status: 201 })
    expect(app.visits().map((v) => v.customer)).toEqual(['slow', 'next'])
  })
})

describe('transactional mode through a batch', () => {
  it('commits each entry with its key, rolls a 5xx back, and replays with no second effect', async () => {
    const app = await start()
    const ledger = (key: string, customer: string, headers: Record<string, string> = {}): ReturnType<typeof visit> => ({ ...visit(key, customer, '', headers), path: '/ledger' })
    const [a, b, c] = keys(3)
    const first = await postBatch(app.batchUrl, [ledger(a, 'c1'), ledger(b, 'c2', { 'X-Fail': '500' }), ledger(c, 'c3')])
    expect(first.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 500, '-'])
    expect(app.visits().map((v) => v.customer)).toEqual(['c1'])

    const retry = await postBatch(app.batchUrl, [ledger(a, 'c1'), ledger(b, 'c2'), ledger(c, 'c3')])
    expect(retry.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 201, 201])
    expect(retry.body.results[0]).toMatchObject({ headers: { 'idempotent-replayed': 'true' }, body: (first.body.results[0] as { body: unknown }).body })
    expect(app.visits().map((v) => v.customer)).toEqual(['c1', 'c2', 'c3'])
  })
})

describe('a caller that goes away', () => {
  it('leaves the entries not yet started: their retry runs them', async () => {
    const app = await start()
    const slow = (customer: string): ReturnType<typeof visit> => visit(randomUUID(), customer, '', { 'X-Delay-Ms': '300' })
    const aborted = new AbortController()
    const sent = fetch(app.batchUrl, { method: 'POST', signal: aborted.signal, headers: { ...ALICE, 'content-type': 'application/json' }, body: JSON.stringify({ entries: [slow('c1'), slow('c2'), slow('c3')] }) })
    await sleep(100)
    aborted.abort()
    await expect(sent).rejects.toThrow()
    await sleep(1200)
    // c1 had started (or, on a slow machine, not even that); c2 and c3 never start.
    expect(app.visits().length).toBeLessThanOrEqual(1)
    expect(app.visits().map((v) => v.customer)).not.toContain('c2')
  })
})

describe('auth: one caller per batch', () => {
  it("answers 401 to a batch without the app's auth, and runs nothing", async () => {
    const app = await start()
    const reply = await postBatch(app.batchUrl, [visit(randomUUID(), 'c1')], {})
    expect(reply.status).toBe(401)
    expect(app.visits()).toEqual([])
  })

  it("applies the batch's auth headers to every sub-request, under each entry's own headers and key", async () => {
    const app = await start()
    const [a, b] = keys(2)
    const reply = await postBatch(
      app.batchUrl,
      [
        { key: a, lane: '', method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json', 'X-Trace': 't1' }, body: { n: 1 } },
        { key: b, lane: '', method: 'POST', path: '/echo?x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' },
      ],
      { ...ALICE, cookie: 'sid=s1', 'user-agent': 'wechat-devtools' },
    )

    expect(reply.body.results[0]).toMatchObject({
      status: 200,
      body: { method: 'POST', url: '/echo', body: { n: 1 }, ip: '127.0.0.1', headers: { authorization: 'Bearer token-alice', cookie: 'sid=s1', key: a, type: 'application/json', length: '7', trace: 't1', agent: 'wechat-devtools' } },
    })
    expect(reply.body.results[1]).toMatchObject({ status: 200, body: { url: '/echo?x=1', body: { a: '1', b: 'two' }, headers: { key: b, type: 'application/x-www-form-urlencoded' } } })
  })

  it('percent-encodes spaces and non-ASCII characters in a path, as a browser would', async () => {
    const app = await start()
    const reply = await postBatch(app.batchUrl, [{ key: randomUUID(), lane: '', method: 'POST', path: '/echo?name=张三 李', headers: {} }])
    expect(reply.body.results[0]).toMatchObject({ status: 200, body: { url: '/echo?name=%E5%BC%A0%E4%B8%89%20%E6%9D%8E' } })
  })

  it('scopes keys to the batch caller: the same key from another user is another request', async () => {
    const app = await start()
    const key = randomUUID()
    await postBatch(app.batchUrl, [visit(key, 'c1')], ALICE)
    const bob = await postBatch(app.batchUrl, [visit(key, 'c1')], { authorization: 'Bearer token-bob' })

    expect(bob.body.results[0]).toMatchObject({ status: 201, body: { user: 'bob' } })
    expect(app.visits().map((v) => v.user)).toEqual(['alice', 'bob'])
  })
})

describe('answers', () => {
  it('carries a non-JSON body as its text', async () => {
    const app = await start()
    const reply = await postBatch(app.batchUrl, [{ key: randomUUID(), lane: '', method: 'POST', path: '/text', headers: {} }])
    expect(reply.body.results[0]).toMatchObject({ status: 200, body: 'plain words', headers: { 'content-type': 'text/plain; charset=utf-8' } })
  })

  it('works the same when express.json() parsed the batch before the endpoint', async () => {
    const app = await start({ jsonFirst: true })
    const entries = [visit(randomUUID(), 'c1'), visit(randomUUID(), 'c2', '', { 'X-Fail': '500' }), visit(randomUUID(), 'c3')]
    const reply = await postBatch(app.batchUrl, entries)
    expect(reply.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 500, '-'])
    expect(app.visits().map((v) => v.customer)).toEqual(['c1'])
    const tooMany = await postBatch(app.batchUrl, Array.from({ length: 51 }, () => visit(randomUUID(), 'x')))
    expect(tooMany.status).toBe(413)
  })
})
