/** The idempotency rules of the demo server, against its real SQLite database. */
import { cleanUp, send, startServer, until, visitBody } from './demo-harness'

afterEach(cleanUp)

describe('a repeat of a finished request', () => {
  it('gets the original answer again, marked replayed, and applies once', async () => {
    const server = await startServer()
    const first = await send(server, 'POST', '/visits', visitBody(), 'key-1')
    const again = await send(server, 'POST', '/visits', visitBody(), 'key-1')
    const third = await send(server, 'POST', '/visits', visitBody(), 'key-1')

    expect(first.status).toBe(201)
    expect(first.replayed).toBe(false)
    expect(again.status).toBe(201)
    expect(again.replayed).toBe(true)
    expect(again.bytes.equals(first.bytes)).toBe(true)
    expect(third.bytes.equals(first.bytes)).toBe(true)
    expect(server.db.counts().visits).toBe(1)
    expect(server.db.visits()[0]).toMatchObject({ id: (first.json as { id: string }).id, customerId: 'c01', idempotencyKey: 'key-1' })
    expect(server.db.idempotencyRows()).toEqual([
      expect.objectContaining({ key: 'key-1', state: 'done', status: 201, responseBody: first.bytes.toString('utf8') }),
    ])
    expect(server.stats()).toMatchObject({ applied: 1, repeatsReplayed: 2 })
  })

  it('is recognised whatever the order of the JSON keys', async () => {
    const server = await startServer()
    const first = await send(server, 'POST', '/visits', '{"customerId":"c01","notes":"n","at":"2024-06-01T10:00:00Z"}', 'key-order')
    const again = await send(server, 'POST', '/visits', '{"at":"2024-06-01T10:00:00Z","notes":"n","customerId":"c01"}', 'key-order')

    expect(again.replayed).toBe(true)
    expect(again.json).toEqual(first.json)
    expect(server.db.counts().visits).toBe(1)
  })

  it('replays a 4xx refusal without running the route again', async () => {
    const server = await startServer()
    const refused = await send(server, 'POST', '/visits', { ...visitBody(), customerId: 'c99' }, 'key-bad')
    const again = await send(server, 'POST', '/visits', { ...visitBody(), customerId: 'c99' }, 'key-bad')

    expect(refused.status).toBe(400)
    expect(refused.json).toMatchObject({ error: 'unknown customer' })
    expect(again.status).toBe(400)
    expect(again.replayed).toBe(true)
    expect(server.db.idempotencyRows()).toEqual([expect.objectContaining({ key: 'key-bad', state: 'done', status: 400 })])
    expect(server.stats()).toMatchObject({ rejected: 1, repeatsReplayed: 1, applied: 0 })
    expect(server.db.counts().visits).toBe(0)
  })

  it('applies a status change once, and a refused one (404) makes no row', async () => {
    const server = await startServer()
    const visit = await send(server, 'POST', '/visits', visitBody(), 'v')
    const id = (visit.json as { id: string }).id
    const missing = await send(server, 'PUT', '/visits/nope/status', { status: 'done' }, 's-missing')
    const changed = await send(server, 'PUT', `/visits/${id}/status`, { status: 'closed' }, 's-1')
    const repeated = await send(server, 'PUT', `/visits/${id}/status`, { status: 'closed' }, 's-1')

    expect(missing.status).toBe(404)
    expect(changed).toMatchObject({ status: 200, json: { id, status: 'closed' } })
    expect(repeated.replayed).toBe(true)
    expect(server.db.statusChanges()).toEqual([expect.objectContaining({ visitId: id, status: 'closed', idempotencyKey: 's-1' })])
    expect(server.db.visits()[0].status).toBe('closed')
  })
})

describe('a repeat while the original is in progress', () => {
  it('gets 409 and does not apply; the original then completes once', async () => {
    const server = await startServer({ latencyMs: 400 })
    const original = send(server, 'POST', '/visits', visitBody(), 'key-slow')
    await until(() => server.db.idempotencyRows().some((row) => row.key === 'key-slow' && row.state === 'in_progress'))
    server.setFaults({ latencyMs: 0 })

    const repeat = await send(server, 'POST', '/visits', visitBody(), 'key-slow')
    expect(repeat.status).toBe(409)
    expect(repeat.json).toEqual({ error: 'a request with this idempotency key is in progress' })
    expect(repeat.headers.get('retry-after')).toBe('1')
    expect(server.db.counts().visits).toBe(0)

    const first = await original
    expect(first.status).toBe(201)
    expect(first.replayed).toBe(false)
    const after = await send(server, 'POST', '/visits', visitBody(), 'key-slow')
    expect(after.replayed).toBe(true)
    expect(after.json).toEqual(first.json)
    expect(server.db.counts().visits).toBe(1)
    expect(server.stats()).toMatchObject({ inProgress409: 1, applied: 1, repeatsReplayed: 1 })
  })
})

describe('a failure inside the write', () => {
  it('answers 500, stores nothing, releases the key, and the retry applies once', async () => {
    const server = await startServer()
    server.db.sqlite.exec("CREATE TEMP TRIGGER no_visits BEFORE INSERT ON visits BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    const failed = await send(server, 'POST', '/visits', visitBody(), 'key-500')

    expect(failed).toMatchObject({ status: 500, json: { error: 'internal error' } })
    expect(server.db.idempotencyRows()).toEqual([])

    server.db.sqlite.exec('DROP TRIGGER no_visits')
    const retry = await send(server, 'POST', '/visits', visitBody(), 'key-500')
    expect(retry.status).toBe(201)
    expect(retry.replayed).toBe(false)
    expect(server.db.counts().visits).toBe(1)
    expect(server.stats()).toMatchObject({ failed: 1, applied: 1 })
  })

  it('undoes the write when its answer cannot be stored: rows and answer commit together', async () => {
    const server = await startServer()
    server.db.sqlite.exec(
      "CREATE TEMP TRIGGER no_answers BEFORE UPDATE OF state ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    )
    const failed = await send(server, 'POST', '/visits', visitBody(), 'key-atomic')

    expect(failed.status).toBe(500)
    expect(server.db.counts().visits).toBe(0)
    expect(server.db.idempotencyRows()).toEqual([])
  })
})

describe('a key reused with a different payload', () => {
  it('gets 422 whether the body, the path or the method differs, and nothing more is applied', async () => {
    const server = await startServer()
    const first = await send(server, 'POST', '/visits', visitBody('first'), 'key-x')
    const otherBody = await send(server, 'POST', '/visits', visitBody('second'), 'key-x')
    const otherPath = await send(server, 'POST', '/deliveries', visitBody('first'), 'key-x')
    const otherMethod = await send(server, 'PUT', '/visits', visitBody('first'), 'key-x')
    const same = await send(server, 'POST', '/visits', visitBody('first'), 'key-x')

    expect(first.status).toBe(201)
    for (const reply of [otherBody, otherPath]) {
      expect(reply.status).toBe(422)
      expect(reply.json).toEqual({ error: 'idempotency key reused with a different payload' })
    }
    expect(otherMethod.status).toBe(405) // no PUT /visits route: refused before the key is looked at
    expect(same.replayed).toBe(true)
    expect(server.db.visits().map((visit) => visit.notes)).toEqual(['first'])
    expect(server.db.counts()).toMatchObject({ visits: 1, deliveries: 0 })
    expect(server.stats().mismatch422).toBe(2)
  })

  it('gets 422 even while the original is in progress', async () => {
    const server = await startServer({ latencyMs: 300 })
    const original = send(server, 'POST', '/visits', visitBody('first'), 'key-y')
    await until(() => server.db.idempotencyRows().length === 1)
    const other = await send(server, 'POST', '/visits', visitBody('second'), 'key-y')

    expect(other.status).toBe(422)
    expect((await original).status).toBe(201)
    expect(server.db.visits().map((visit) => visit.notes)).toEqual(['first'])
  })
})

describe('requests without a usable key', () => {
  it('applies each request without a key (so a blind retry duplicates: the reason keys exist)', async () => {
    const server = await startServer()
    await send(server, 'POST', '/visits', visitBody())
    await send(server, 'POST', '/visits', visitBody())

    expect(server.db.counts().visits).toBe(2)
    expect(server.db.visits().map((visit) => visit.idempotencyKey)).toEqual([null, null])
    expect(server.db.idempotencyRows()).toEqual([])
    expect(server.stats()).toMatchObject({ withoutKey: 2, applied: 2 })
  })

  it('refuses a malformed key before anything is stored', async () => {
    const server = await startServer()
    const reply = await send(server, 'POST', '/visits', visitBody(), 'x'.repeat(256))

    expect(reply.status).toBe(400)
    expect(server.db.counts().visits).toBe(0)
    expect(server.db.idempotencyRows()).toEqual([])
  })

  it('stores a 400 for a body that is not JSON under its key', async () => {
    const server = await startServer()
    const reply = await send(server, 'POST', '/visits', '{not json', 'key-garbage')
    const again = await send(server, 'POST', '/visits', '{not json', 'key-garbage')

    expect(reply).toMatchObject({ status: 400, json: { error: 'the body must be JSON' } })
    expect(again.replayed).toBe(true)
  })
})

describe('task steps', () => {
  it('treats each `<taskKey>:<step>` as its own key', async () => {
    const server = await startServer()
    const visit = await send(server, 'POST', '/visits', visitBody(), 'task-1:0')
    const id = (visit.json as { id: string }).id
    const status = await send(server, 'PUT', `/visits/${id}/status`, { status: 'visited' }, 'task-1:1')
    const repeats = await Promise.all([
      send(server, 'POST', '/visits', visitBody(), 'task-1:0'),
      send(server, 'PUT', `/visits/${id}/status`, { status: 'visited' }, 'task-1:1'),
    ])

    expect(status.status).toBe(200)
    expect(repeats.map((reply) => reply.replayed)).toEqual([true, true])
    expect(server.db.counts()).toMatchObject({ visits: 1, statusChanges: 1 })
    expect(server.db.idempotencyRows().map((row) => row.key).sort()).toEqual(['task-1:0', 'task-1:1'])
  })
})
