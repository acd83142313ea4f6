/**
 * Workbox's own `Queue` tests (workbox-background-sync/test/Queue), ported to
 * our `Queue` and run against the real loopback server through the emulator.
 * Where we differ from Workbox on purpose (entries are removed only after the
 * server answered, 4xx is not success), the test says so.
 */
import { createOffline } from 'miniprogram-offline'
import { Queue, type QueueEntry, type QueueOptions } from 'miniprogram-offline'
import { InUseError, InvalidArgumentError, OfflineError, ReplayFailedError } from 'miniprogram-offline'
import type { OutboxEntry } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

let h: OfflineHarness
let opened: Queue[]

beforeEach(async () => {
  h = await createHarness()
  opened = []
})

afterEach(async () => {
  for (const queue of opened) queue.close()
  await h.dispose()
})

/** A queue on the current emulated platform in namespace `test`, closed after the test. */
function openQueue(name: string, options: QueueOptions = {}): Queue {
  const queue = new Queue(name, { platform: h.platform(), namespace: 'test', ...options })
  opened.push(queue)
  return queue
}

function url(path: string): string {
  return `${h.server.url}${path}`
}

function post(path: string, data: Record<string, unknown> = {}): QueueEntry {
  return { request: { url: url(path), method: 'POST', data } }
}

function paths(entries: Array<QueueEntry | undefined>): Array<string | undefined> {
  return entries.map((entry) => (entry === undefined ? undefined : new URL(entry.request.url).pathname))
}

/** Every value the emulated phone holds, as one string (what a forensic look at the device would see). */
function rawStorage(): string {
  const { keys } = h.emu.wx.getStorageInfoSync()
  return JSON.stringify(keys.map((key) => [key, h.emu.wx.getStorageSync(key)]))
}

describe('order: pushRequest / unshiftRequest / shiftRequest / popRequest', () => {
  test('push a, b; unshift c: shift gives c, pop gives b, shift gives a, then the queue is empty', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('order')
    await queue.ready
    await queue.pushRequest(post('/a'))
    await queue.pushRequest(post('/b'))
    await queue.unshiftRequest(post('/c'))
    expect(await queue.size()).toBe(3)
    expect(paths(await queue.getAll())).toEqual(['/c', '/a', '/b'])

    expect(paths([await queue.shiftRequest()])).toEqual(['/c'])
    expect(paths([await queue.popRequest()])).toEqual(['/b'])
    expect(await queue.size()).toBe(1)
    expect(paths([await queue.shiftRequest()])).toEqual(['/a'])
    expect(await queue.size()).toBe(0)
    // A taken entry is gone for good, not just hidden: nothing is sent later.
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.requests).toHaveLength(0)
  })

  test('unshiftRequest always lands at the front, however many times it is called', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('front')
    await queue.ready
    await queue.pushRequest(post('/1'))
    await queue.unshiftRequest(post('/0'))
    await queue.unshiftRequest(post('/-1'))
    await queue.pushRequest(post('/2'))
    expect(paths(await queue.getAll())).toEqual(['/-1', '/0', '/1', '/2'])
  })

  test('shiftRequest and popRequest on an empty queue resolve undefined', async () => {
    const queue = openQueue('empty')
    await queue.ready
    expect(await queue.shiftRequest()).toBeUndefined()
    expect(await queue.popRequest()).toBeUndefined()
    expect(await queue.getAll()).toEqual([])
    expect(await queue.size()).toBe(0)
  })

  test('the request, timestamp and metadata come back as they were given', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('roundtrip')
    await queue.ready
    const timestamp = h.emu.clock.now() - 5 * MINUTE
    const request = {
      url: url('/visits?src=queue'),
      method: 'PUT' as const,
      data: { customer: '王记超市', lines: [1, 2, 3], nested: { ok: true, none: null } },
      header: { 'X-Trace': 't-1', 'Content-Type': 'application/json' },
      timeout: 15_000,
    }
    await queue.pushRequest({ request, timestamp, metadata: { title: '拜访 王记超市', n: 7 } })
    const before = h.emu.clock.now()
    await queue.pushRequest({ request: { url: url('/second'), method: 'POST', data: 'plain text' } })

    const [first, second] = await queue.getAll()
    expect(first).toEqual({ request, timestamp, metadata: { title: '拜访 王记超市', n: 7 } })
    // No timestamp given: it is "now", as in Workbox. No metadata: the key is absent.
    expect(second.timestamp).toBeGreaterThanOrEqual(before)
    expect(second.timestamp).toBeLessThanOrEqual(h.emu.clock.now())
    expect(second).not.toHaveProperty('metadata')
    expect(second.request).toMatchObject({ url: url('/second'), method: 'POST', data: 'plain text' })

    // shiftRequest hands back the same entry and removes it.
    expect(await queue.shiftRequest()).toEqual(first)
    expect(paths(await queue.getAll())).toEqual(['/second'])
  })

  test('binary data survives the round trip byte for byte', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('binary')
    await queue.ready
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 128, 64])
    await queue.pushRequest({ request: { url: url('/bin'), method: 'POST', data: bytes.buffer } })
    const entry = await queue.popRequest()
    expect(entry?.request.data).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(entry?.request.data as ArrayBuffer)]).toEqual([...bytes])
  })
})

describe('retention (maxRetentionTime is in minutes)', () => {
  test('getAll returns unexpired entries in order, drops expired ones and emits expired', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('retention', { maxRetentionTime: 60 })
    await queue.ready
    await queue.pushRequest(post('/old'))
    h.emu.clock.advance(30 * MINUTE)
    await queue.pushRequest(post('/young-1'))
    await queue.pushRequest(post('/young-2'))
    const expired: OutboxEntry[] = []
    queue.on('expired', ({ entry }) => expired.push(entry))

    // 59 minutes after the first push: nothing has expired yet.
    h.emu.clock.advance(29 * MINUTE)
    expect(paths(await queue.getAll())).toEqual(['/old', '/young-1', '/young-2'])
    expect(expired).toEqual([])

    // 61 minutes: the first one is past 60 minutes.
    h.emu.clock.advance(2 * MINUTE)
    expect(paths(await queue.getAll())).toEqual(['/young-1', '/young-2'])
    expect(expired.map((entry) => entry.request?.url)).toEqual([url('/old')])
    expect(await queue.size()).toBe(2)

    // It is really gone: a replay sends only the young ones.
    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => request.path)).toEqual(['/young-1', '/young-2'])
  })

  test('size() counts expired entries (Workbox semantics) until something drops them', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('size', { maxRetentionTime: 10 })
    await queue.ready
    await queue.pushRequest(post('/a'))
    await queue.pushRequest(post('/b'))
    // An entry whose timestamp is already older than the retention is still stored by push.
    await queue.pushRequest({ ...post('/ancient'), timestamp: h.emu.clock.now() - 11 * MINUTE })
    expect(await queue.size()).toBe(3)

    h.emu.clock.advance(11 * MINUTE)
    expect(await queue.size()).toBe(3)
    const expired: string[] = []
    queue.on('expired', ({ entry }) => expired.push(new URL(String(entry.request?.url)).pathname))
    expect(await queue.getAll()).toEqual([])
    expect(expired).toEqual(['/a', '/b', '/ancient'])
    expect(await queue.size()).toBe(0)
  })

  test('shiftRequest and popRequest skip (and drop) expired entries', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('skip', { maxRetentionTime: 10 })
    await queue.ready
    const now = h.emu.clock.now()
    await queue.pushRequest({ ...post('/expired-front'), timestamp: now - 20 * MINUTE })
    await queue.pushRequest(post('/live'))
    await queue.pushRequest({ ...post('/expired-back'), timestamp: now - 20 * MINUTE })
    expect(paths([await queue.shiftRequest()])).toEqual(['/live'])
    expect(await queue.size()).toBe(0)
    expect(await queue.popRequest()).toBeUndefined()
  })

  test('the default maxRetentionTime is 7 days', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('week')
    await queue.ready
    await queue.pushRequest(post('/week'))
    h.emu.clock.advance(7 * DAY - MINUTE)
    expect(paths(await queue.getAll())).toEqual(['/week'])
    const expired = jest.fn()
    queue.on('expired', expired)
    h.emu.clock.advance(2 * MINUTE)
    expect(await queue.getAll()).toEqual([])
    expect(expired).toHaveBeenCalledTimes(1)
  })
})

describe('replayRequests', () => {
  test('pushRequest while online starts a replay soon, as registerSync would', async () => {
    const queue = openQueue('soon')
    await queue.ready
    await queue.pushRequest(post('/now', { n: 1 }))
    await waitUntil(() => h.server.applied.length === 1, 'the pushed entry is sent without replayRequests()')
    await waitUntil(() => queue.status.get().pending === 0, 'and removed')
  })

  test('sends every entry in order, resolves, and empties the queue', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('replay')
    await queue.ready
    await queue.pushRequest(post('/1', { n: 1 }))
    await queue.pushRequest(post('/2', { n: 2 }))
    await queue.unshiftRequest(post('/0', { n: 0 }))
    await queue.pushRequest({ request: { url: url('/3'), method: 'PUT', data: { n: 3 }, header: { 'X-Trace': 'replay' } } })

    h.emu.setOnline(true)
    await expect(queue.replayRequests()).resolves.toBeUndefined()
    expect(h.server.applied.map((request) => [request.method, request.path, request.body])).toEqual([
      ['POST', '/0', { n: 0 }],
      ['POST', '/1', { n: 1 }],
      ['POST', '/2', { n: 2 }],
      ['PUT', '/3', { n: 3 }],
    ])
    expect(h.server.applied[3].headers['x-trace']).toBe('replay')
    // Each entry carries its own idempotency key; nothing was sent twice.
    expect(new Set(h.server.applied.map((request) => request.idempotencyKey)).size).toBe(4)
    expect(h.server.duplicates).toBe(0)
    expect(await queue.size()).toBe(0)
    expect(await queue.getAll()).toEqual([])
  })

  test('the server failing (503): rejects with ReplayFailedError and the entries are still stored', async () => {
    const queue = openQueue('failing', { retry: { baseDelayMs: 60 * MINUTE } })
    await queue.ready
    h.server.respondWith(() => ({ status: 503 }))
    await queue.pushRequest(post('/a'))
    await queue.pushRequest(post('/b'))

    const error = await queue.replayRequests().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(ReplayFailedError)
    expect(error).toBeInstanceOf(OfflineError)
    expect(error).toMatchObject({ code: 'REPLAY_FAILED', remaining: 2 })
    expect(h.server.requests.length).toBeGreaterThan(0)
    // Unlike Workbox, which takes the entry out before fetching it, nothing was removed.
    expect(await queue.size()).toBe(2)
    expect(paths(await queue.getAll())).toEqual(['/a', '/b'])

    // Once the server recovers, the same entries go out (each under its first key).
    const keys = new Set(h.server.requests.map((request) => request.idempotencyKey))
    h.server.respondWith(undefined)
    h.emu.clock.advance(61 * MINUTE)
    await waitUntil(() => h.server.applied.length === 2, 'the backoff timer replays both')
    expect(h.server.applied.map((request) => request.path)).toEqual(['/a', '/b'])
    expect(keys.has(h.server.applied[0].idempotencyKey)).toBe(true)
    await waitUntil(() => queue.status.get().pending === 0, 'both answered')
    expect(await queue.size()).toBe(0)
  })

  test('offline: rejects with ReplayFailedError, nothing is sent, the entries are still stored', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('offline')
    await queue.ready
    await queue.pushRequest(post('/a'))
    await queue.pushRequest(post('/b'))
    await expect(queue.replayRequests()).rejects.toMatchObject({ name: 'ReplayFailedError', code: 'REPLAY_FAILED', remaining: 2 })
    expect(h.server.requests).toHaveLength(0)
    expect(await queue.size()).toBe(2)
    expect(paths(await queue.getAll())).toEqual(['/a', '/b'])
  })

  test('a 4xx answer is not success: the entry becomes a dead letter, visible in pending()', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('refused')
    await queue.ready
    await queue.pushRequest({ ...post('/bad'), metadata: { title: 'bad visit' } })
    await queue.pushRequest(post('/good'))
    h.server.respondWith((request) => (request.path === '/bad' ? { status: 422, body: { error: 'missing customer' } } : undefined))
    h.emu.setOnline(true)
    const deadLettered = jest.fn()
    queue.on('deadLettered', deadLettered)

    // Dead letters are not "still waiting", so the replay itself resolves (see the report).
    await queue.replayRequests()
    expect(deadLettered).toHaveBeenCalledTimes(1)
    // Sent once each: the refused entry is not retried by itself.
    expect(h.server.requests.map((request) => request.path)).toEqual(['/bad', '/good'])
    expect(queue.pending()).toEqual([
      expect.objectContaining({
        state: 'deadLetter',
        url: url('/bad'),
        method: 'POST',
        metadata: { title: 'bad visit' },
        lastError: expect.objectContaining({ statusCode: 422, data: { error: 'missing customer' } }),
      }),
    ])
    // Kept, not dropped: it still counts in size(), but getAll/shift give only pending entries.
    expect(await queue.size()).toBe(1)
    expect(await queue.getAll()).toEqual([])
    expect(queue.status.get().deadLetters).toBe(1)
  })
})

describe('onSync', () => {
  test('replaces the default replay on a trigger (going online) and gets { queue }', async () => {
    h.emu.setOnline(false)
    const calls: Array<{ queue: Queue }> = []
    const queue = openQueue('custom', { onSync: (options) => void calls.push(options) })
    await queue.ready
    await queue.pushRequest(post('/a'))
    const before = calls.length

    h.emu.setOnline(true)
    await waitUntil(() => calls.length === before + 1, 'onSync runs on reconnect')
    expect(calls[calls.length - 1].queue).toBe(queue)
    // The default replay did not run: the entry is untouched.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(h.server.requests).toHaveLength(0)
    expect(paths(await queue.getAll())).toEqual(['/a'])
  })

  test('the Workbox pattern: onSync drains by hand with shiftRequest and unshifts back on failure', async () => {
    h.emu.setOnline(false)
    const platform = h.platform()
    const queue = openQueue('by-hand', {
      onSync: async ({ queue: q }) => {
        for (let entry = await q.shiftRequest(); entry; entry = await q.shiftRequest()) {
          try {
            await platform.http.request(entry.request).result
          } catch (error) {
            await q.unshiftRequest(entry)
            throw error
          }
        }
      },
    })
    await queue.ready
    await queue.pushRequest(post('/1'))
    await queue.pushRequest(post('/2'))
    h.emu.setOnline(true)
    await waitUntil(() => h.server.applied.length === 2, 'both sent by onSync')
    expect(h.server.applied.map((request) => request.path)).toEqual(['/1', '/2'])
    expect(await queue.size()).toBe(0)
  })

  test('an onSync that throws (to leave the entries for next time) is not an unhandled rejection', async () => {
    // Jest fails a test on an unhandled rejection, so this test fails if the
    // trigger's rejection escapes.
    h.emu.setOnline(false)
    let runs = 0
    const queue = openQueue('throws', {
      onSync: async ({ queue: q }) => {
        runs += 1
        await q.replayRequests()
      },
    })
    await queue.ready
    await queue.pushRequest(post('/a'))
    const before = runs
    h.emu.hide()
    h.emu.show() // a trigger while offline: replayRequests rejects inside onSync
    await waitUntil(() => runs === before + 1, 'onSync ran on show')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await queue.size()).toBe(1)

    h.emu.setOnline(true)
    await waitUntil(() => h.server.applied.length === 1, 'sent on reconnect')
    expect(await queue.size()).toBe(0)
  })
})

describe('names and namespaces', () => {
  test('the name getter', () => {
    expect(openQueue('visits').name).toBe('visits')
  })

  test('two live queues with one name in one namespace: InUseError; after close() it reopens', async () => {
    h.emu.setOnline(false)
    const first = openQueue('twice')
    await first.ready
    await first.pushRequest(post('/kept'))
    let thrown: unknown
    try {
      openQueue('twice')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InUseError)
    expect(thrown).toMatchObject({ code: 'IN_USE' })

    first.close()
    const again = openQueue('twice')
    await again.ready
    expect(paths(await again.getAll())).toEqual(['/kept'])
  })

  test('the same name in different namespaces is fine and they never share entries', async () => {
    h.emu.setOnline(false)
    const alice = openQueue('visits', { namespace: 'sales:alice' })
    // Bob's triggers do nothing, so only an explicit replay sends his entries.
    const bob = openQueue('visits', { namespace: 'sales:bob', onSync: () => undefined })
    await Promise.all([alice.ready, bob.ready])
    await alice.pushRequest(post('/alice'))
    await bob.pushRequest(post('/bob-1'))
    await bob.pushRequest(post('/bob-2'))
    expect(paths(await alice.getAll())).toEqual(['/alice'])
    expect(paths(await bob.getAll())).toEqual(['/bob-1', '/bob-2'])
    expect(await alice.size()).toBe(1)
    expect(await bob.size()).toBe(2)

    h.emu.setOnline(true)
    await alice.replayRequests()
    expect(h.server.applied.map((request) => request.path)).toEqual(['/alice'])
    expect(await alice.size()).toBe(0)
    expect(paths(await bob.getAll())).toEqual(['/bob-1', '/bob-2'])

    await bob.replayRequests()
    expect(h.server.applied.map((request) => request.path)).toEqual(['/alice', '/bob-1', '/bob-2'])
    expect(h.server.duplicates).toBe(0)
  })

  test('a Queue and createOffline in one namespace keep their entries apart', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('visits')
    const offline = h.client()
    await Promise.all([queue.ready, offline.ready])
    await queue.pushRequest(post('/from-queue'))
    await offline.request({ url: url('/from-client'), method: 'POST', data: {} })
    expect(paths(await queue.getAll())).toEqual(['/from-queue'])
    expect(offline.pending().map((item) => item.url)).toEqual([url('/from-client')])
  })

  test('a Queue named "default" is refused (createOffline uses it), and so is an empty name', () => {
    for (const name of ['default', '', 42 as unknown as string]) {
      let thrown: unknown
      try {
        openQueue(name)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidArgumentError)
      expect(thrown).toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
    // The refusal held nothing: createOffline still opens its "default" queue in this namespace.
    const offline = createOffline({ platform: h.platform(), namespace: 'test' })
    offline.close()
  })
})

test('entries survive a cold start, in order, with their metadata', async () => {
  h.emu.setOnline(false)
  const before = openQueue('durable')
  await before.ready
  await before.pushRequest({ ...post('/2'), metadata: { n: 2 } })
  await before.pushRequest({ ...post('/3'), metadata: { n: 3 } })
  await before.unshiftRequest({ ...post('/1'), metadata: { n: 1 } })
  const timestamps = (await before.getAll()).map((entry) => entry.timestamp)
  before.close()

  h.restart()
  const after = openQueue('durable')
  await after.ready
  const entries = await after.getAll()
  expect(paths(entries)).toEqual(['/1', '/2', '/3'])
  expect(entries.map((entry) => entry.metadata)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
  expect(entries.map((entry) => entry.timestamp)).toEqual(timestamps)

  h.emu.setOnline(true)
  await waitUntil(() => h.server.applied.length === 3, 'delivered after the cold start')
  expect(h.server.applied.map((request) => request.path)).toEqual(['/1', '/2', '/3'])
})

// A trigger right after `ready` must not be lost in the last tick of the start replay.
test('cold start offline: the network returning right after ready still replays', async () => {
  h.emu.setOnline(false)
  const before = openQueue('wakeup')
  await before.ready
  await before.pushRequest(post('/stored'))
  before.close()
  h.restart()
  const after = openQueue('wakeup')
  await after.ready
  h.emu.setOnline(true)
  await waitUntil(() => h.server.applied.length === 1, 'the stored entry is sent on reconnect', 500)
})

describe('secret headers', () => {
  const secrets = { Authorization: 'Bearer s3cr3t-token', cookie: 'sid=cookie-value', 'X-Trace': 'trace-kept' }

  test('Authorization and Cookie are never stored; headers() gives credentials at send time, and a request\'s own Cookie goes along in the same run', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('secrets', { headers: () => ({ Authorization: 'Bearer fresh-token' }) })
    await queue.ready
    await queue.pushRequest({ request: { url: url('/s'), method: 'POST', data: {}, header: secrets } })
    await queue.unshiftRequest({ request: { url: url('/s0'), method: 'POST', data: {}, header: { AUTHORIZATION: 'Bearer upper-case' } } })

    const stored = rawStorage()
    expect(stored).toContain('trace-kept')
    expect(stored).not.toMatch(/s3cr3t-token|cookie-value|upper-case/)
    expect(stored).not.toMatch(/"authorization"|"cookie"/i)
    const [, withSecrets] = await queue.getAll()
    expect(withSecrets.request.header).toEqual({ 'X-Trace': 'trace-kept' })

    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied.map((request) => request.headers.authorization)).toEqual(['Bearer fresh-token', 'Bearer fresh-token'])
    // Kept in memory for this run only: the provider has no Cookie, so the request's own stands.
    expect(h.server.applied.map((request) => request.headers.cookie)).toEqual([undefined, 'sid=cookie-value'])
    expect(h.server.applied[1].headers['x-trace']).toBe('trace-kept')
  })

  test('persistSecretHeaders: true stores them (and sends them)', async () => {
    h.emu.setOnline(false)
    const queue = openQueue('kept-secrets', { persistSecretHeaders: true })
    await queue.ready
    await queue.pushRequest({ request: { url: url('/s'), method: 'POST', data: {}, header: secrets } })
    const stored = rawStorage()
    expect(stored).toContain('s3cr3t-token')
    expect(stored).toContain('cookie-value')
    expect((await queue.getAll())[0].request.header).toEqual(secrets)

    h.emu.setOnline(true)
    await queue.replayRequests()
    expect(h.server.applied[0].headers).toMatchObject({ authorization: 'Bearer s3cr3t-token', cookie: 'sid=cookie-value' })
  })
})
