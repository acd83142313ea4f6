import { createOffline, type OfflineClient } from 'miniprogram-offline'
import type { OfflineOptions } from 'miniprogram-offline'
import { createWxPlatform } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { waitUntil } from '../support/offline-harness'
import { startTestServer, type TestServer } from '../support/test-server'

/**
 * Crash at every storage and file write of each outbox write path, in turn:
 * kill the app at write k, cold-start it, and check that nothing accepted is
 * lost, nothing is duplicated locally, and the server applies each entry once.
 */

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

interface Phone {
  emu: WxEmulator
  open(options?: OfflineOptions): OfflineClient
  restart(): void
}

function newPhone(): Phone {
  const emu = createWxEmulator({ online: false })
  let client: OfflineClient | undefined
  return {
    emu,
    open(options = {}) {
      client = createOffline({ platform: createWxPlatform(emu.wx, { clock: emu.clock }), namespace: 'crash', ...options })
      return client
    },
    restart() {
      client?.close()
      emu.faults.kill()
      emu.restart()
    },
  }
}

interface Scenario {
  name: string
  options?: OfflineOptions
  /** Builds the state before the write path runs. */
  setup(client: OfflineClient): Promise<void>
  /** The write path under test. */
  act(phone: Phone, client: OfflineClient): Promise<unknown>
  /** Paths the server must have applied exactly once in the end. */
  mustArrive: string[]
  /** Paths that may arrive at most once (an action the crash interrupted). */
  mayArrive: string[]
  /** At least one of these must arrive (an accepted entry a newer one may replace). */
  oneOf?: string[]
}

async function queue(client: OfflineClient, path: string, extra: object = {}): Promise<void> {
  await client.request({ url: `${server.url}${path}`, method: 'POST', data: { path }, ...extra })
}

async function replay(phone: Phone, client: OfflineClient): Promise<void> {
  phone.emu.setOnline(true)
  await client.flush()
}

const scenarios: Scenario[] = [
  {
    name: 'push',
    setup: async (client) => {
      await queue(client, '/a')
      await queue(client, '/b')
    },
    act: (_phone, client) => queue(client, '/c'),
    mustArrive: ['/a', '/b'],
    mayArrive: ['/c'],
  },
  {
    name: 'push with a dedupe key replacing an older entry',
    setup: async (client) => {
      await queue(client, '/a')
      await queue(client, '/s1', { dedupeKey: 'k' })
    },
    act: (_phone, client) => queue(client, '/s2', { dedupeKey: 'k' }),
    mustArrive: ['/a'],
    mayArrive: ['/s1', '/s2'],
    oneOf: ['/s1', '/s2'],
  },
  {
    name: 'replay (removal after 2xx)',
    setup: async (client) => {
      await queue(client, '/a')
      await queue(client, '/b')
      await queue(client, '/c')
    },
    act: replay,
    mustArrive: ['/a', '/b', '/c'],
    mayArrive: [],
  },
  {
    name: 'retry scheduling after a 5xx',
    options: { retry: { baseDelayMs: 60_000 } },
    setup: async (client) => {
      await queue(client, '/fail-once')
      await queue(client, '/b')
    },
    act: replay,
    mustArrive: ['/fail-once', '/b'],
    mayArrive: [],
  },
  {
    name: 'dead-lettering after a 4xx, then retry(id)',
    setup: async (client) => {
      await queue(client, '/reject-once')
      await queue(client, '/b')
    },
    act: async (phone, client) => {
      await replay(phone, client)
      const dead = client.pending().find((item) => item.state === 'deadLetter')
      if (dead) await client.retry(dead.id)
    },
    mustArrive: ['/reject-once', '/b'],
    mayArrive: [],
  },
]

/**
 * Scripts the server: `/fail-once` answers 503 and `/reject-once` 422 the
 * first time; returns the paths applied with success, in order (repeats of a
 * key are answered from the server's memory and never reach this list).
 */
function scriptServer(): string[] {
  const delivered: string[] = []
  const refused = new Set<string>()
  server.respondWith((request) => {
    if (request.path === '/fail-once' && !refused.has(request.path)) {
      refused.add(request.path)
      return { status: 503 }
    }
    if (request.path === '/reject-once' && !refused.has(request.path)) {
      refused.add(request.path)
      return { status: 422 }
    }
    delivered.push(request.path)
    return undefined
  })
  return delivered
}

async function drain(client: OfflineClient, what: string): Promise<void> {
  await waitUntil(() => client.status.get().pending === 0 && !client.status.get().syncing, what)
  // A dead letter the crash left behind is the user's to retry: do so, as the sync page would.
  for (const item of client.pending()) await client.retry(item.id)
  await waitUntil(() => client.status.get().pending === 0 && client.status.get().deadLetters === 0, `${what}, dead letters retried`)
}

/** Runs a scenario, killing the app at write `killAt` of `act` (none when undefined). */
async function run(scenario: Scenario, killAt: number | undefined) {
  server.reset()
  const delivered = scriptServer()
  const phone = newPhone()
  const client = phone.open(scenario.options)
  await client.ready
  await scenario.setup(client)
  const writesBefore = phone.emu.faults.writes
  if (killAt !== undefined) phone.emu.faults.killAtWrite(killAt)
  await scenario.act(phone, client).catch(() => undefined)
  const writes = phone.emu.faults.writes - writesBefore
  const killed = phone.emu.faults.killed
  phone.restart()
  phone.emu.setOnline(true)
  const reopened = phone.open(scenario.options)
  const afterRestart = reopened.pending().map((item) => item.id)
  await reopened.ready
  await drain(reopened, `${scenario.name}: drained after a crash at write ${killAt}`)
  reopened.close()
  await phone.emu.dispose()
  return { writes, killed, delivered, afterRestart }
}

function count(list: string[], item: string): number {
  return list.filter((each) => each === item).length
}

let crashPointsCovered = 0
afterAll(() => {
  console.log(`outbox crash points covered: ${crashPointsCovered}`)
})

describe.each(scenarios)('crash at every write: $name', (scenario) => {
  test('every crash point leaves old or new state; accepted entries reach the server exactly once', async () => {
    const { writes } = await run(scenario, undefined)
    expect(writes).toBeGreaterThan(0)
    for (let k = 1; k <= writes; k++) {
      const { killed, delivered, afterRestart } = await run(scenario, k)
      expect(killed).toBe(true)
      // No entry duplicated locally: at most one stored copy of each action.
      expect(new Set(afterRestart).size).toBe(afterRestart.length)
      expect(afterRestart.length).toBeLessThanOrEqual(scenario.mustArrive.length + scenario.mayArrive.length)
      for (const path of scenario.mustArrive) expect([k, path, count(delivered, path)]).toEqual([k, path, 1])
      for (const path of scenario.mayArrive) expect(count(delivered, path)).toBeLessThanOrEqual(1)
      if (scenario.oneOf) expect(delivered.filter((path) => scenario.oneOf?.includes(path)).length).toBeGreaterThanOrEqual(1)
      const known = [...scenario.mustArrive, ...scenario.mayArrive]
      expect(delivered.filter((path) => !known.includes(path))).toEqual([])
    }
    crashPointsCovered += writes
  })
})
