/** The batch endpoint's Koa form and its plain node:http form, on the same rules as Express. */
import { randomUUID } from 'crypto'
import { ALICE, postBatch } from './support/post-batch'
import { startLedgerApp, type LedgerApp, type LedgerFramework } from './support/ledger-apps'
import type { BatchEntry } from 'miniprogram-offline/server'

const entry = (amount: number, lane: string, headers: Record<string, string> = {}): BatchEntry => ({
  key: randomUUID(),
  lane,
  method: 'POST',
  path: '/ledger',
  headers: { 'content-type': 'application/json', ...headers },
  body: { amount },
})

describe.each<LedgerFramework>(['koa', 'node'])('the %s form', (framework) => {
  let app: LedgerApp
  beforeEach(async () => {
    app = await startLedgerApp(framework)
  })
  afterEach(async () => {
    await app.close()
  })

  it('runs lanes in order through the routes, stops a lane at its first non-2xx, and answers in request order', async () => {
    const entries = [entry(1, 'A'), entry(2, 'B', { 'x-fail': '500' }), entry(3, 'A'), entry(4, 'B'), entry(5, 'A')]
    const reply = await postBatch(app.batchUrl, entries)

    expect(reply.status).toBe(200)
    expect(reply.body.results.map((r) => r.key)).toEqual(entries.map((e) => e.key))
    expect(reply.body.results.map((r) => ('status' in r ? r.status : '-'))).toEqual([201, 500, 201, '-', 201])
    expect(reply.body.results[0]).toMatchObject({ body: { user: 'alice', amount: 1 }, headers: { 'content-type': expect.stringContaining('application/json') } })
    expect(app.rows()).toEqual(['alice:1', 'alice:3', 'alice:5'])
  })

  it('replays a batch with no second effect, and takes the caller from the batch', async () => {
    const entries = [entry(10, ''), entry(20, '')]
    const first = await postBatch(app.batchUrl, entries)
    const again = await postBatch(app.batchUrl, entries)
    const unauthenticated = await postBatch(app.batchUrl, entries, {})
    const bob = await postBatch(app.batchUrl, entries, { authorization: 'Bearer token-bob' })

    expect(again.body.results.map((r) => ('body' in r ? r.body : r))).toEqual(first.body.results.map((r) => ('body' in r ? r.body : r)))
    for (const result of again.body.results) expect(result).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } })
    expect(unauthenticated.status).toBe(401)
    expect(bob.body.results.map((r) => ('body' in r ? (r.body as { user: string }).user : '-'))).toEqual(['bob', 'bob'])
    expect(app.rows()).toEqual(['alice:10', 'alice:20', 'bob:10', 'bob:20'])
  })

  it('answers 400 to a malformed batch and 413 over the limits', async () => {
    expect((await postBatch(app.batchUrl, '{"entries": "all"}')).status).toBe(400)
    expect((await postBatch(app.batchUrl, Array.from({ length: 51 }, () => entry(1, '')))).status).toBe(413)
    expect((await postBatch(app.batchUrl, [{ ...entry(1, ''), headers: { Authorization: 'Bearer token-bob' } }], ALICE)).status).toBe(400)
    expect(app.rows()).toEqual([])
  })
})
