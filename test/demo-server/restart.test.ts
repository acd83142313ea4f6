/** The demo server restarted on the same data directory: what it remembers and what it cleans up. */
import { randomBytes } from 'crypto'
import { existsSync, writeFileSync } from 'fs'
import * as path from 'path'
import { DEFAULT_KEY_RETENTION_MS, startDemoServer } from '../../demo-server'
import { cleanUp, get, send, startServer, tempDataDir, until, upload, visitBody } from './demo-harness'

afterEach(cleanUp)

const DAY = 24 * 60 * 60 * 1000

describe('a restart on the same data directory', () => {
  it('still remembers every key and answer, and still serves the photos', async () => {
    const dataDir = tempDataDir()
    const before = await startServer({ dataDir })
    const visit = await send(before, 'POST', '/visits', visitBody(), 'visit-key')
    const bytes = randomBytes(3000)
    const photo = (await upload(before, bytes, { key: 'photo-key' })).json as { url: string }
    await before.close()

    const after = await startServer({ dataDir })
    const repeat = await send(after, 'POST', '/visits', visitBody(), 'visit-key')
    const photoRepeat = await upload(after, bytes, { key: 'photo-key' })

    expect(after.startup).toEqual({ releasedClaims: 0, purgedKeys: 0, removedOrphans: [] })
    expect(repeat.replayed).toBe(true)
    expect(repeat.bytes.equals(visit.bytes)).toBe(true)
    expect(photoRepeat.replayed).toBe(true)
    expect((await get(after, photo.url)).bytes.equals(bytes)).toBe(true)
    expect(after.db.counts()).toMatchObject({ visits: 1, photos: 1 })
    expect(after.stats()).toMatchObject({ applied: 0, repeatsReplayed: 2 })
  })

  it('treats a request cut off by close() as a crash: nothing applied, its key released at the next start', async () => {
    const dataDir = tempDataDir()
    const before = await startServer({ dataDir, latencyMs: 5000 })
    const cutOff = send(before, 'POST', '/visits', visitBody(), 'key-crash').then(
      () => 'answered',
      () => 'lost',
    )
    await until(() => before.db.idempotencyRows().some((row) => row.state === 'in_progress'))
    const closing = Date.now()
    await before.close()

    expect(Date.now() - closing).toBeLessThan(2000)
    expect(await cutOff).toBe('lost')
    const after = await startServer({ dataDir })
    expect(after.startup.releasedClaims).toBe(1)
    expect(after.db.counts().visits).toBe(0)

    const retry = await send(after, 'POST', '/visits', visitBody(), 'key-crash')
    expect(retry.status).toBe(201)
    expect(retry.replayed).toBe(false)
    expect(after.db.counts().visits).toBe(1)
  })

  it('removes photo files no row names, and keeps the others', async () => {
    const dataDir = tempDataDir()
    const before = await startServer({ dataDir })
    await upload(before, randomBytes(100), { key: 'kept' })
    await before.close()
    writeFileSync(path.join(dataDir, 'photos', 'p-orphan.png'), randomBytes(100))

    const after = await startServer({ dataDir })
    expect(after.startup.removedOrphans).toEqual(['p-orphan.png'])
    expect(existsSync(path.join(dataDir, 'photos', 'p-orphan.png'))).toBe(false)
    expect(existsSync(after.db.photos()[0].path)).toBe(true)
  })

  it('keeps keys for 8 days (longer than the SDK keeps an entry, 7 days) and forgets older ones', async () => {
    expect(DEFAULT_KEY_RETENTION_MS).toBe(8 * DAY)
    const dataDir = tempDataDir()
    const before = await startServer({ dataDir })
    await send(before, 'POST', '/visits', visitBody('a week old'), 'week-old')
    await send(before, 'POST', '/visits', visitBody('nine days old'), 'nine-days-old')
    const age = before.db.sqlite.prepare('UPDATE idempotency_keys SET created_at = ? WHERE key = ?')
    age.run(Date.now() - 7 * DAY, 'week-old')
    age.run(Date.now() - 9 * DAY, 'nine-days-old')
    await before.close()

    const after = await startServer({ dataDir })
    expect(after.startup.purgedKeys).toBe(1)
    expect(after.db.idempotencyRows().map((row) => row.key)).toEqual(['week-old'])
    expect((await send(after, 'POST', '/visits', visitBody('a week old'), 'week-old')).replayed).toBe(true)
  })

  it('keeps the manifest version', async () => {
    const dataDir = tempDataDir()
    const before = await startServer({ dataDir })
    await send(before, 'POST', '/admin/manifest/bump', {})
    await before.close()

    const after = await startServer({ dataDir })
    expect(((await get(after, '/manifest.json')).json as { version: string }).version).toBe('v2')
  })
})

describe('the default data directory', () => {
  it('is a new temp directory, removed by close()', async () => {
    const server = await startDemoServer()
    const { dataDir } = server
    expect(existsSync(path.join(dataDir, 'demo.sqlite'))).toBe(true)
    await server.close()
    expect(existsSync(dataDir)).toBe(false)
  })
})
