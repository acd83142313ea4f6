/** The batch endpoint's own answers: 400 for a malformed batch, 413 over its limits, nothing run either way. */
import { randomUUID } from 'crypto'
import { OfflineError } from 'miniprogram-offline'
import { batch } from 'miniprogram-offline/server'
import { postBatch, visit } from './support/post-batch'
import { startVisitsApp, type VisitsApp } from './support/visits-app'

let app: VisitsApp
let small: VisitsApp
beforeAll(async () => {
  app = await startVisitsApp()
  small = await startVisitsApp({ maxEntries: 3, maxBytes: 2048 })
})
afterAll(async () => {
  await app.close()
  await small.close()
})

const key = (): string => randomUUID()
const raw = (entry: Record<string, unknown>): string => JSON.stringify({ entries: [entry] })
const good = (): Record<string, unknown> => ({ ...visit(key(), 'c1') })

describe('400: a malformed batch', () => {
  const twice = key()
  const cases: Array<[string, string]> = [
    ['a body that is not JSON', '{"entries": ['],
    ['no entries array', '{"items": []}'],
    ['an array instead of an object', '[]'],
    ['no entries', '{"entries": []}'],
    ['an entry that is not an object', '{"entries": [42]}'],
    ['an entry without a key', raw({ ...good(), key: undefined })],
    ['a key with a space', raw({ ...good(), key: 'a b' })],
    ['a key of 256 characters', raw({ ...good(), key: 'k'.repeat(256) })],
    ['a lane that is not a string', raw({ ...good(), lane: 3 })],
    ['a method it does not take', raw({ ...good(), method: 'CONNECT' })],
    ['a path that is a full URL', raw({ ...good(), path: 'http://elsewhere.example/visits' })],
    ['a path to another host', raw({ ...good(), path: '//elsewhere.example/visits' })],
    ['a path with a control character', raw({ ...good(), path: '/visits\tok' })],
    ['headers that are not an object', raw({ ...good(), headers: ['x'] })],
    ['a header value that is not a string', raw({ ...good(), headers: { 'X-N': 1 } })],
    ['a header value with a line break', raw({ ...good(), headers: { 'X-Trace': 'a\r\nX-Admin: 1' } })],
    ['an Authorization header in an entry', raw({ ...good(), headers: { Authorization: 'Bearer token-bob' } })],
    ['a Cookie header in an entry', raw({ ...good(), headers: { cookie: 'sid=1' } })],
    ['an Idempotency-Key header in an entry', raw({ ...good(), headers: { 'Idempotency-Key': 'other' } })],
    ['a Content-Length header in an entry', raw({ ...good(), headers: { 'Content-Length': '5' } })],
    ['the same key twice', JSON.stringify({ entries: [visit(twice, 'c1', 'A'), visit(twice, 'c1', 'B')] })],
  ]
  it.each(cases)('%s', async (_name, body) => {
    const before = app.visits().length
    const reply = await postBatch(app.batchUrl, body)
    expect(reply.status).toBe(400)
    expect(typeof reply.body.error).toBe('string')
    expect(app.visits()).toHaveLength(before)
  })

  it('refuses the whole batch when one entry is malformed, even after good ones', async () => {
    const reply = await postBatch(app.batchUrl, [visit(key(), 'good'), { ...visit(key(), 'bad'), method: 'TRACE' }])
    expect(reply).toEqual({ status: 400, body: { error: expect.stringContaining('entries[1].method') } })
    expect(app.visits().map((v) => v.customer)).not.toContain('good')
  })
})

describe('413: over the limits', () => {
  it('refuses more than maxEntries (default 50) and runs none of them', async () => {
    const fifty = await postBatch(app.batchUrl, Array.from({ length: 50 }, (_, i) => visit(key(), `n${i}`)))
    expect(fifty.status).toBe(200)
    const before = app.visits().length
    const reply = await postBatch(app.batchUrl, Array.from({ length: 51 }, () => visit(key(), 'over')))
    expect(reply.status).toBe(413)
    expect(reply.body.error).toMatch(/51 entries, over the limit of 50/)
    expect(app.visits()).toHaveLength(before)

    const custom = await postBatch(small.batchUrl, Array.from({ length: 4 }, () => visit(key(), 'over')))
    expect(custom.status).toBe(413)
  })

  it('refuses a body over maxBytes (default 512 KiB) before running anything', async () => {
    const before = app.visits().length
    const big = 'x'.repeat(600 * 1024)
    const reply = await postBatch(app.batchUrl, [visit(key(), big)])
    expect(reply.status).toBe(413)
    expect(app.visits()).toHaveLength(before)

    const custom = await postBatch(small.batchUrl, [visit(key(), 'y'.repeat(3000))])
    expect(custom.status).toBe(413)
    expect(small.visits()).toEqual([])
  })
})

describe('options', () => {
  const handler = (): void => undefined
  it.each<[string, Record<string, unknown>]>([
    ['no handler', {}],
    ['a handler that is not a function', { handler: 'app' }],
    ['maxEntries 0', { handler, maxEntries: 0 }],
    ['maxBytes 1.5', { handler, maxBytes: 1.5 }],
    ['a bad key header', { handler, keyHeader: 'Idempotency Key' }],
    ['authHeaders that are not names', { handler, authHeaders: ['x y'] }],
  ])('throws INVALID_ARGUMENT for %s', (_name, options) => {
    let thrown: unknown
    try {
      batch(options as unknown as Parameters<typeof batch>[0])
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(OfflineError)
    expect((thrown as OfflineError).code).toBe('INVALID_ARGUMENT')
  })
})
