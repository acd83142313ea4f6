/**
 * Batch replay (issue 12): waiting entries travel to the batch endpoint
 * together, each with its own key and verdict; order within a lane holds;
 * a server without the endpoint makes the run fall back to one request per
 * entry. Against a real loopback server that speaks the protocol.
 */
import { createOffline, createWxPlatform, type OfflineClient, type OfflineOptions } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { startBatchServer, type BatchServer } from '../support/batch-server'
import { waitUntil } from '../support/offline-harness'
import { watchUnhandledRejections } from '../support/unhandled-rejections'

let emu: WxEmulator
let server: BatchServer
const clients: OfflineClient[] = []

beforeEach(async () => {
  emu = createWxEmulator({ online: false })
  server = await startBatchServer()
})
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await server.close()
  await emu.dispose()
})

function client(options: OfflineOptions = {}): OfflineClient {
  const offline = createOffline({
    platform: createWxPlatform(emu.wx, { clock: emu.clock }),
    namespace: 'batch',
    batch: { url: `${server.url}/batch`, maxEntries: 50 },
    retry: { baseDelayMs: 10, maxDelayMs: 10 },
    ...options,
  })
  clients.push(offline)
  return offline
}

async function queue(offline: OfflineClient, count: number, lane = '', path = '/visits'): Promise<string[]> {
  const ids: string[] = []
  for (let n = 0; n < count; n++) {
    const result = await offline.request({ url: `${server.url}${path}`, method: 'POST', data: { lane, n }, lane })
    expect(result.status).toBe('queued')
    ids.push(result.id)
  }
  return ids
}

async function drain(offline: OfflineClient): Promise<void> {
  emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0 && !offline.status.get().syncing, 'the outbox is drained', 10_000)
}

test('one lane of 120 entries goes out in 3 batches of at most 50, in order, each entry once under its own key', async () => {
  const offline = client()
  await offline.ready
  const ids = await queue(offline, 120)
  await drain(offline)
  expect(server.batchSizes).toEqual([50, 50, 20])
  expect(server.singles).toBe(0)
  expect(server.applied.map((entry) => entry.key)).toEqual(ids)
  expect(server.repeatedKeys).toBe(0)
})

test('a lane stops at its first failure: its later entries are not attempted and stay queued; other lanes go on; order holds', async () => {
  const offline = client()
  await offline.ready
  const a = await queue(offline, 4, 'a')
  const b = await queue(offline, 3, 'b')
  let failures = 1
  server.script((_path, body) => ((body as { lane: string; n: number }).lane === 'a' && (body as { n: number }).n === 1 && failures-- > 0 ? 503 : undefined))
  await drain(offline)
  const applied = (lane: string) => server.applied.filter((entry) => entry.lane === lane).map((entry) => entry.key)
  expect(applied('a')).toEqual(a)
  expect(applied('b')).toEqual(b)
  // The first batch carried all 7; a1 failed, so a2 and a3 were not attempted, then went out after a1's retry.
  expect(server.batchSizes[0]).toBe(7)
  expect(server.repeatedKeys).toBe(1)
})

test('a refusal in a batch dead-letters that entry alone, as a single send would', async () => {
  const offline = client()
  await offline.ready
  const [first, refused, third] = await queue(offline, 3)
  server.script((_path, body) => ((body as { n: number }).n === 1 ? 422 : undefined))
  const deadLettered: string[] = []
  offline.on('deadLettered', ({ entry }) => deadLettered.push(entry.id))
  await drain(offline)
  expect(deadLettered).toEqual([refused])
  expect(server.applied.map((entry) => entry.key)).toEqual([first, third])
  expect(offline.pending()).toEqual([expect.objectContaining({ id: refused, state: 'deadLetter', lastError: expect.objectContaining({ statusCode: 422 }) })])
})

test('no batch endpoint (404): the run falls back to one request per entry, says so once, and delivers everything once', async () => {
  server.setBatchStatus(404)
  const offline = client()
  await offline.ready
  const reasons: string[] = []
  offline.on('batchFallback', ({ reason }) => reasons.push(reason))
  const ids = await queue(offline, 5)
  await drain(offline)
  expect(reasons).toEqual(['the batch endpoint answered HTTP 404'])
  expect(server.singles).toBe(5)
  expect(server.applied.map((entry) => entry.key)).toEqual(ids)
  // Later replays of this run do not try the endpoint again.
  emu.setOnline(false)
  await queue(offline, 3)
  await drain(offline)
  expect(server.batches).toBe(1)
  expect(server.singles).toBe(8)
})

test("the batch carries the app's credentials once; entries carry only their own headers; a 401 on the batch refreshes and retries", async () => {
  let token = 'old'
  const offline = client({ headers: () => ({ Authorization: `Bearer ${token}` }), onAuthExpired: () => void (token = 'new') })
  await offline.ready
  await queue(offline, 3)
  server.requireAuthorization('Bearer new')
  await drain(offline)
  expect(token).toBe('new')
  expect(server.batchSizes).toEqual([3, 3])
  expect(server.applied.map((entry) => entry.authorization)).toEqual(['Bearer new', 'Bearer new', 'Bearer new'])
  expect(server.applied.every((entry) => entry.batched)).toBe(true)
})

test('a request with credentials of its own for this run never shares a batch: it goes alone', async () => {
  const offline = client()
  await offline.ready
  await queue(offline, 2)
  const own = await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { own: true }, header: { Authorization: 'Bearer mine' } })
  await queue(offline, 2)
  await drain(offline)
  const mine = server.applied.find((entry) => entry.key === own.id)
  expect(mine).toMatchObject({ batched: false, authorization: 'Bearer mine' })
  expect(server.applied).toHaveLength(5)
  expect(server.applied.filter((entry) => entry.batched)).toHaveLength(4)
})

test('killed at every write of a batched replay, then cold-started: each entry is delivered, none lost, none applied twice', async () => {
  const rejections = watchUnhandledRejections()
  const expected = 6
  let writes = 0
  for (let k = 1; writes === 0 || k <= writes; k++) {
    await emu.dispose()
    await server.close()
    emu = createWxEmulator({ online: false })
    server = await startBatchServer()
    const offline = client()
    await offline.ready
    const ids = [...(await queue(offline, 3, 'a')), ...(await queue(offline, 3, 'b'))]
    const before = emu.faults.writes
    if (writes > 0) emu.faults.killAtWrite(k)
    emu.setOnline(true)
    if (writes === 0) {
      await waitUntil(() => offline.status.get().pending === 0 && !offline.status.get().syncing, 'the first replay ends')
      writes = emu.faults.writes - before
      k = 0
      continue
    }
    await waitUntil(() => emu.faults.killed, `the app dies at write ${k}`)
    clients.splice(0).forEach((dead) => {
      try {
        dead.close()
      } catch {
        // the dead app's objects may refuse: they belong to a killed run
      }
    })
    emu.restart()
    const revived = client()
    await revived.ready
    await drain(revived)
    expect(server.applied.map((entry) => entry.key).sort()).toEqual([...ids].sort())
    expect(server.applied).toHaveLength(expected)
  }
  rejections.stop()
  expect(writes).toBeGreaterThanOrEqual(expected)
  expect(rejections.reasons).toEqual([])
}, 60_000)
