/** Bad options get a typed error (INVALID_ARGUMENT) before anything is created or written. */
import Database from 'better-sqlite3'
import { InvalidArgumentError } from 'miniprogram-offline'
import { createIdempotency, idempotency, koaIdempotency, postgresStore, redisStore, sqliteStore, type IdempotencyStore } from 'miniprogram-offline/server'

const db = new Database(':memory:')
afterAll(() => db.close())

function expectInvalid(make: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    make()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError)
  expect((thrown as InvalidArgumentError).code).toBe('INVALID_ARGUMENT')
  expect((thrown as Error).message).toMatch(message)
}

describe('the middleware and the core', () => {
  const store = sqliteStore(db)

  it.each([
    ['no store', { store: undefined as unknown as IdempotencyStore }, /store must be an idempotency store/],
    ['a header that is not a header name', { store, header: 'Idempotency Key' }, /header is not a header name/],
    ['a negative lease', { store, leaseMs: -1 }, /leaseMs must be a positive number/],
    ['a zero retention', { store, retentionMs: 0 }, /retentionMs must be a positive number/],
    ['methods that are not names', { store, methods: [1] as unknown as string[] }, /methods must be an array/],
    ['a fingerprint that is not a function', { store, fingerprint: 'sha' as unknown as () => string }, /fingerprint must be a function/],
  ])('refuses %s', (_, options, message) => {
    expectInvalid(() => idempotency(options), message)
    expectInvalid(() => koaIdempotency(options), message)
    expectInvalid(() => createIdempotency(options), message)
  })
})

describe('the stores', () => {
  it('refuse a client of the wrong kind', () => {
    expectInvalid(() => sqliteStore({} as never), /better-sqlite3 Database/)
    expectInvalid(() => postgresStore(null as never), /pg Pool/)
    expectInvalid(() => redisStore({} as never), /node-redis or ioredis/)
  })

  it('refuse a table name that is not a plain identifier, before any SQL runs', () => {
    expectInvalid(() => sqliteStore(db, { table: 'keys; DROP TABLE users' }), /plain SQL identifier/)
    const sent: string[] = []
    const pool = {
      query: async (text: string) => (sent.push(text), { rows: [], rowCount: 0 }),
      connect: async () => ({ query: async (text: string) => (sent.push(text), { rows: [], rowCount: 0 }), release: () => undefined }),
    }
    expectInvalid(() => postgresStore(pool, { table: 'a"b' }), /plain SQL identifier/)
    expect(sent).toEqual([])
  })

  it('refuse an asynchronous SQLite transaction, and roll it back', async () => {
    const store = sqliteStore(db, { table: 'keys_async' })
    db.exec('CREATE TABLE IF NOT EXISTS notes (body TEXT)')
    await expect(
      store.transaction(undefined, (tx) => {
        tx.prepare('INSERT INTO notes (body) VALUES (?)').run('half')
        return Promise.resolve(1)
      }, () => undefined),
    ).rejects.toThrow(/synchronous/)
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 0 })
  })
})
