/**
 * Expiration per cache: by age on the emulator clock, and by count with
 * the least recently used going first, also across a cold start.
 */
import type { GetOptions, OfflineReader, OfflineReaderOptions } from '../../sdk/cache'
import { TransportError } from 'miniprogram-offline'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'

const DAY = 24 * 3600 * 1000

let h: ReaderHarness
let reader: OfflineReader
const options: OfflineReaderOptions = { caches: { customers: { maxAgeSeconds: 60 }, list: { maxEntries: 3 } } }
beforeEach(async () => {
  h = await createReaderHarness()
  reader = await h.open(options)
})
afterEach(() => h.dispose())

function get(path: string, extra: Partial<GetOptions> = {}) {
  return reader.get<{ id: number }>({ url: `${h.server.url}${path}`, ...extra })
}

/** Whether `path` is served offline from the cache (online state is restored). */
async function keptOffline(path: string, cacheName: string): Promise<boolean> {
  h.emu.setOnline(false)
  try {
    await get(path, { cacheName })
    return true
  } catch (error) {
    if (error instanceof TransportError) return false
    throw error
  } finally {
    h.emu.setOnline(true)
  }
}

/** Storage keys of the responses kept in `cacheName` (their names end with `r.<cacheName>.<time>.<hash>`). */
function responseKeysOf(cacheName: string): string[] {
  return h.emu.wx.getStorageInfoSync().keys.filter((key) => key.startsWith('mpo/test~cache/') && key.includes(`.r.${cacheName}.`))
}

test('maxAgeSeconds: a copy is served until it is older than the limit, then deleted and never served, even offline', async () => {
  await get('/customers', { cacheName: 'customers' })
  await get('/customers', { cacheName: 'default' })
  h.emu.clock.advance(59_000)
  expect(await keptOffline('/customers', 'customers')).toBe(true)
  h.emu.clock.advance(2_000)
  expect(await keptOffline('/customers', 'customers')).toBe(false)
  expect(responseKeysOf('customers')).toEqual([])
  // A cache without limits keeps its copy.
  h.emu.clock.advance(30 * DAY)
  expect(await keptOffline('/customers', 'default')).toBe(true)
})

test('maxAgeSeconds counts from the last write: a refreshed copy lives on', async () => {
  await get('/customers', { cacheName: 'customers' })
  h.emu.clock.advance(50_000)
  await get('/customers', { cacheName: 'customers' }) // networkFirst rewrites the copy
  h.emu.clock.advance(50_000)
  expect(await keptOffline('/customers', 'customers')).toBe(true)
  expect(responseKeysOf('customers')).toHaveLength(1)
})

/** Keeps /a, /b, /c in `list`, a second apart, then reads /a. */
async function fillListThenReadA(): Promise<void> {
  for (const path of ['/a', '/b', '/c']) {
    await get(path, { cacheName: 'list' })
    h.emu.clock.advance(1000)
  }
  await get('/a', { cacheName: 'list', strategy: 'cacheOnly' })
  h.emu.clock.advance(1000)
}

async function kept(paths: string[]): Promise<string[]> {
  const result: string[] = []
  for (const path of paths) if (await keptOffline(path, 'list')) result.push(path)
  return result
}

test('maxEntries: past the limit the least recently used copy goes, reads count as use', async () => {
  await fillListThenReadA()
  await get('/d', { cacheName: 'list' })
  expect(await kept(['/a', '/b', '/c', '/d'])).toEqual(['/a', '/c', '/d'])
  // Other caches are not counted.
  await get('/e', { cacheName: 'default' })
  expect(await kept(['/a', '/c', '/d'])).toEqual(['/a', '/c', '/d'])
})

test('LRU order survives a cold start: last-use times are saved when the app goes to the background', async () => {
  await fillListThenReadA()
  h.emu.hide()
  h.emu.faults.kill() // killed in the background: close() never runs
  h.restart()
  reader = await h.open(options)
  await get('/d', { cacheName: 'list' })
  expect(await kept(['/a', '/b', '/c', '/d'])).toEqual(['/a', '/c', '/d'])
})

test('after a kill in the foreground, write times stand in for the reads since the last save', async () => {
  await fillListThenReadA()
  h.emu.faults.kill()
  h.restart()
  reader = await h.open(options)
  await get('/d', { cacheName: 'list' })
  expect(await kept(['/a', '/b', '/c', '/d'])).toEqual(['/b', '/c', '/d'])
})

test('reads never write storage', async () => {
  await get('/customers', { cacheName: 'default' })
  const writes = h.emu.faults.writes
  for (let i = 0; i < 20; i++) await get('/customers', { strategy: 'cacheFirst' })
  expect(h.emu.faults.writes).toBe(writes)
})
