/** Transactional mode, written once for both SQL stores: the business write and the key's answer commit together. */
import { randomUUID } from 'crypto'
import { startLedgerApp, type LedgerApp, type LedgerDb } from './ledger-app'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function send(url: string, key: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; replayed: boolean }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
    body: JSON.stringify({ amount: 5 }),
  })
  return { status: response.status, text: await response.text(), replayed: response.headers.get('idempotent-replayed') === 'true' }
}

/** Defines the transactional tests for one SQL database. */
export function describeTransactionalMode(name: string, database: () => LedgerDb): void {
  describe(`${name} transactional mode`, () => {
    const apps: LedgerApp[] = []
    let tables = 0
    const start = async (leaseMs?: number): Promise<LedgerApp> => {
      const app = await startLedgerApp(database(), `ledger_${name}_${++tables}`, leaseMs)
      apps.push(app)
      return app
    }
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()))
    })

    it('commits the insert with the answer; a replay neither inserts nor runs the handler', async () => {
      const app = await start()
      const key = randomUUID()
      const first = await send(app.url, key)
      const again = await send(app.url, key)
      expect(first.status).toBe(201)
      expect(again).toMatchObject({ status: 201, text: first.text, replayed: true })
      expect(await app.rows()).toBe(1)
    })

    it('rolls the insert back on a 5xx answer or a throw, and the retry applies once', async () => {
      const app = await start()
      const key = randomUUID()
      expect((await send(app.url, key, { 'x-fail': '503' })).status).toBe(503)
      expect((await send(app.url, key, { 'x-throw': '1' })).status).toBe(500)
      expect(await app.rows()).toBe(0)
      const retry = await send(app.url, key)
      expect(retry).toMatchObject({ status: 201, replayed: false })
      expect(await app.rows()).toBe(1)
    })

    it('commits a 4xx answer (and its insert) and replays it', async () => {
      const app = await start()
      const key = randomUUID()
      const refused = await send(app.url, key, { 'x-fail': '409' })
      expect(refused.status).toBe(409)
      expect((await send(app.url, key)).replayed).toBe(true)
      expect(await app.rows()).toBe(1)
    })

    it('rolls back a holder that outlived its lease: only the takeover applies', async () => {
      const app = await start(200)
      const key = randomUUID()
      const slow = send(app.url, key, { 'x-delay-ms': '600' })
      await sleep(350)
      const takeover = await send(app.url, key)
      expect(takeover).toMatchObject({ status: 201, replayed: false })
      const late = await slow
      expect(late.status).toBe(409) // its commit found the key taken: rolled back, and the SDK retries 409
      expect(await app.rows()).toBe(1)
      expect((await send(app.url, key)).text).toBe(takeover.text)
    })
  })
}
