/**
 * The precache manifest's lifecycle, after AppCache: checking, noupdate,
 * downloading, progress, cached, updateready, obsolete, error; versions
 * downloaded beside each other and swapped in at once; NETWORK and
 * FALLBACK sections; a manifest given as a URL or as an object.
 */
import type { ManifestDocument, ManifestEvents, OfflineReader, OfflineReaderOptions } from '../../sdk/cache'
import { HttpStatusError, QuotaExceededError, TransportError } from 'miniprogram-offline'
import { createManifestSite, type ManifestSite } from '../support/manifest-site'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'

const CACHE_DIR = 'wxfile://usr/mpo/test/~cache'

let h: ReaderHarness
let site: ManifestSite
let reader: OfflineReader
let log: Array<{ name: keyof ManifestEvents; payload: unknown }>

beforeEach(async () => {
  h = await createReaderHarness()
  site = createManifestSite(h.server)
  await openReader()
})
afterEach(() => h.dispose())

async function openReader(options: OfflineReaderOptions = {}): Promise<void> {
  reader = await h.open(options)
  log = []
  const names: Array<keyof ManifestEvents> = ['checking', 'noupdate', 'downloading', 'progress', 'cached', 'updateready', 'obsolete', 'error']
  for (const name of names) reader.manifest.on(name, (payload) => log.push({ name, payload }))
}

/** Event names, with `progress` runs folded to one `progress×n`. */
function names(): string[] {
  const out: string[] = []
  for (const { name } of log) {
    const last = out[out.length - 1]
    if (name === 'progress' && last?.startsWith('progress')) out[out.length - 1] = `progress×${Number(last.split('×')[1] ?? 1) + 1}`
    else out.push(name === 'progress' ? 'progress×1' : name)
  }
  return out
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

/** Every resource of the site as the reader serves it now: the version of each response and of each file. */
async function servedVersions(): Promise<string[]> {
  // Started in one tick: each read picks its version synchronously, so this is one snapshot.
  const responses = await Promise.all(site.responsePaths.map((path) => reader.get<{ version: string }>({ url: site.url(path) })))
  const files = await Promise.all(site.filePaths.map((path) => reader.image(site.url(path))))
  return [
    ...responses.map((result) => (result.source === 'precache' ? result.data.version : `not precached (${result.source})`)),
    ...files.map((path) => h.emu.files.tryReadBytes(path)?.toString().split(':')[0] ?? 'missing'),
  ]
}

const all = (version: string) => Array(6).fill(version)

/** `status` and `version` of the manifest (a function object, so matchers need them copied out). */
function manifestState() {
  return { status: reader.manifest.status, version: reader.manifest.version }
}

/** Storage keys of precached responses, by slot. */
function precachedSlots(): string[] {
  const slots = new Set<string>()
  for (const key of h.emu.wx.getStorageInfoSync().keys) {
    const match = /^mpo\/test~cache\/h\.[0-9a-z]+\.\d+\.[0-9a-z]+\.m\.([0-9a-z]+)\./.exec(key)
    if (match) slots.add(match[1])
  }
  return [...slots]
}

async function precacheFolders(): Promise<string[]> {
  return (await h.platform().fs.readdir(CACHE_DIR).catch(() => [] as string[])).filter((name) => name.startsWith('precache-'))
}

async function install(version: string, extra: Partial<ManifestDocument> = {}): Promise<void> {
  site.publish(version)
  reader.manifest(site.document(extra))
  await reader.manifest.update()
}

test('first version: checking, downloading, progress per resource, cached; then served offline', async () => {
  expect(reader.manifest.status).toBe('UNCACHED')
  const statuses: string[] = []
  reader.manifest.on('progress', () => statuses.push(reader.manifest.status))
  reader.manifest(site.document())
  expect(await reader.manifest.update()).toBe('cached')
  expect(names()).toEqual(['checking', 'downloading', 'progress×6', 'cached'])
  expect(log.find((event) => event.name === 'downloading')?.payload).toEqual({ version: 'v1', total: 6 })
  const progress = log.filter((event) => event.name === 'progress').map((event) => event.payload as { loaded: number; total: number })
  expect(progress.map(({ loaded, total }) => [loaded, total])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 6]))
  expect(statuses).toEqual(Array(6).fill('DOWNLOADING'))
  expect(manifestState()).toEqual({ status: 'IDLE', version: 'v1' })
  h.emu.setOnline(false)
  expect(await servedVersions()).toEqual(all('v1'))
})

test('precached copies are served without the network, even online; networkOnly goes around them', async () => {
  await install('v1')
  h.server.reset()
  site.publish('v2')
  expect(await servedVersions()).toEqual(all('v1'))
  expect(h.server.requests).toHaveLength(0)
  const live = await reader.get<{ version: string }>({ url: site.url(site.responsePaths[0]), strategy: 'networkOnly' })
  expect(live).toMatchObject({ source: 'network', data: { version: 'v2' } })
})

test('the same version: checking, noupdate, nothing downloaded', async () => {
  await install('v1')
  log.length = 0
  h.server.reset()
  expect(await reader.manifest.update()).toBe('noupdate')
  expect(names()).toEqual(['checking', 'noupdate'])
  expect(h.server.requests).toHaveLength(0)
  expect(reader.manifest.status).toBe('IDLE')
})

test('a version bump: downloaded beside the old one, swapped in at once (updateready), the old one removed', async () => {
  await install('v1')
  const [oldSlot] = precachedSlots()
  log.length = 0
  let inListener: string[] | undefined
  reader.manifest.on('updateready', () => void servedVersions().then((versions) => (inListener = versions)))
  await install('v2')
  expect(names()).toEqual(['checking', 'downloading', 'progress×6', 'updateready'])
  expect(log.find((event) => event.name === 'updateready')?.payload).toEqual({ version: 'v2', previousVersion: 'v1' })
  expect(manifestState()).toEqual({ status: 'UPDATEREADY', version: 'v2' })
  expect(await servedVersions()).toEqual(all('v2'))
  expect(inListener).toEqual(all('v2'))
  expect(precachedSlots()).toHaveLength(1)
  expect(precachedSlots()).not.toContain(oldSlot)
  expect(await precacheFolders()).toHaveLength(1)
  // The next check leaves UPDATEREADY.
  expect(await reader.manifest.update()).toBe('noupdate')
  expect(reader.manifest.status).toBe('IDLE')
})

test('a source set while a check runs gets a check of its own, and update() reports that one', async () => {
  const downloading = new Promise((resolve) => reader.manifest.on('downloading', resolve))
  reader.manifest(site.document())
  await downloading
  site.publish('v2')
  reader.manifest(site.document())
  expect(await reader.manifest.update()).toBe('updateready')
  expect(manifestState()).toEqual({ status: 'UPDATEREADY', version: 'v2' })
  expect(names()).toEqual(['checking', 'downloading', 'progress×6', 'cached', 'checking', 'downloading', 'progress×6', 'updateready'])
})

test('reads during an update never see a mix of versions', async () => {
  await install('v1')
  site.publish('v2')
  h.server.setLatency(30)
  const snapshots: string[][] = []
  reader.manifest(site.document())
  const done = reader.manifest.update()
  let finished = false
  void done.then(() => (finished = true))
  while (!finished) {
    snapshots.push(await servedVersions())
    await new Promise((resolve) => setImmediate(resolve)) // precached reads never leave the microtask queue
  }
  snapshots.push(await servedVersions())
  expect(snapshots.length).toBeGreaterThan(3)
  for (const snapshot of snapshots) expect(new Set(snapshot).size).toBe(1)
  expect(snapshots[0]).toEqual(all('v1'))
  expect(snapshots[snapshots.length - 1]).toEqual(all('v2'))
})

test('a failure in the middle of an update: error, the old version still served whole, the partial one removed', async () => {
  await install('v1')
  const [servedSlot] = precachedSlots()
  log.length = 0
  site.publish('v2')
  site.failOn(site.responsePaths[2])
  reader.manifest(site.document())
  const error = await failureOf(reader.manifest.update())
  expect(error).toBeInstanceOf(HttpStatusError)
  expect(error).toMatchObject({ statusCode: 500, url: site.url(site.responsePaths[2]) })
  expect(names()[0]).toBe('checking')
  expect(names()[names().length - 1]).toBe('error')
  expect(names()).not.toContain('updateready')
  expect((log[log.length - 1].payload as { error: Error }).error).toBe(error)
  expect(manifestState()).toEqual({ status: 'IDLE', version: 'v1' })
  h.emu.setOnline(false)
  expect(await servedVersions()).toEqual(all('v1'))
  expect(precachedSlots()).toEqual([servedSlot])
  expect(await precacheFolders()).toHaveLength(1)
})

test('withdrawn with manifest(null): checking, obsolete, the kept set removed', async () => {
  await install('v1')
  log.length = 0
  reader.manifest(null)
  expect(await reader.manifest.update()).toBe('obsolete')
  expect(names()).toEqual(['checking', 'obsolete'])
  expect(log[1].payload).toEqual({ previousVersion: 'v1' })
  expect(manifestState()).toEqual({ status: 'OBSOLETE', version: undefined })
  expect(precachedSlots()).toEqual([])
  expect(await precacheFolders()).toEqual([])
  expect(h.emu.wx.getStorageInfoSync().keys.filter((key) => key.startsWith('mpo/test~cache/h.') && key.endsWith('.m'))).toEqual([])
  h.emu.setOnline(false)
  expect(await failureOf(reader.get({ url: site.url(site.responsePaths[0]) }))).toBeInstanceOf(TransportError)
})

test('a manifest URL: relative entries resolved against it; the URL answering 404 withdraws the set', async () => {
  let manifestStatus = 200
  const document = {
    version: 'v1',
    cache: ['../api/r0', '/api/r1', 'r2', `${site.url('/static/f0.png')}`],
  }
  h.server.respondWith((request) => {
    if (request.path === '/offline/manifest.json') return { status: manifestStatus, body: document }
    if (request.path.startsWith('/api/') || request.path === '/offline/r2') return { body: { version: 'v1', path: request.path } }
    return undefined
  })
  reader.manifest(site.url('/offline/manifest.json'))
  expect(await reader.manifest.update()).toBe('cached')
  const paths = h.server.requests.map((request) => request.path).sort()
  expect(paths).toEqual(['/api/r0', '/api/r1', '/offline/manifest.json', '/offline/r2', '/static/f0.png'])
  h.server.reset()
  expect(await reader.manifest.update()).toBe('noupdate')
  expect(h.server.requests.map((request) => request.path)).toEqual(['/offline/manifest.json'])
  manifestStatus = 404
  expect(await reader.manifest.update()).toBe('obsolete')
  expect(reader.manifest.status).toBe('OBSOLETE')
})

test('a manifest URL answering 404 before anything is kept is an error', async () => {
  reader.manifest(site.url('/static/missing.json'))
  expect(await failureOf(reader.manifest.update())).toBeInstanceOf(HttpStatusError)
  expect(reader.manifest.status).toBe('UNCACHED')
})

test('NETWORK patterns are never cached, by get() or image()', async () => {
  await install('v1', { network: [site.url('/api/live/'), `${site.url('/static/cam-')}*.png`] })
  h.server.serveFile('/static/cam-1.png', Buffer.from('camera'), 'image/png')
  const first = await reader.get({ url: site.url('/api/live/position'), strategy: 'cacheFirst' })
  const second = await reader.get({ url: site.url('/api/live/position'), strategy: 'cacheFirst' })
  expect([first.source, second.source]).toEqual(['network', 'network'])
  const camera = await reader.image(site.url('/static/cam-1.png'))
  expect(camera.startsWith('wxfile://tmp/')).toBe(true)
  h.emu.setOnline(false)
  expect(await failureOf(reader.get({ url: site.url('/api/live/position') }))).toBeInstanceOf(TransportError)
  expect(await reader.get({ url: site.url('/api/other'), strategy: 'cacheOnly' }).catch((error: unknown) => error)).toMatchObject({ code: 'CACHE_MISS' })
})

test('FALLBACK: a failed read under a pattern with nothing kept gets the fallback resource', async () => {
  h.server.serveFile('/static/tile-offline.png', Buffer.from('offline tile'), 'image/png')
  await install('v1', {
    fallback: [
      { pattern: site.url('/api/reports/'), fallback: site.url('/api/r0') },
      { pattern: site.url('/static/tiles/'), fallback: site.url('/static/tile-offline.png') },
    ],
  })
  h.emu.setOnline(false)
  const report = await reader.get<{ version: string; path: string }>({ url: site.url('/api/reports/7') })
  expect(report).toMatchObject({ source: 'fallback', fromCache: true, stale: true, data: { path: '/api/r0' } })
  const tile = await reader.image(site.url('/static/tiles/12-3401.png'))
  expect(h.emu.files.tryReadBytes(tile)?.toString()).toBe('offline tile')
  expect(await failureOf(reader.get({ url: site.url('/api/elsewhere') }))).toBeInstanceOf(TransportError)
})

test('offline at start: checking then error; checked again as soon as the network returns', async () => {
  h.emu.setOnline(false)
  reader.close()
  reader = await h.open({ manifest: site.document() }) // checked at start, once leftovers are cleaned
  const errored = new Promise((resolve) => reader.manifest.on('error', resolve))
  const checking = new Promise((resolve) => reader.manifest.on('checking', resolve))
  await checking
  await errored
  expect(manifestState()).toEqual({ status: 'UNCACHED', version: undefined })
  const cached = new Promise((resolve) => reader.manifest.on('cached', resolve))
  h.emu.setOnline(true)
  await cached
  expect(manifestState()).toEqual({ status: 'IDLE', version: 'v1' })
})

test('the served version survives a cold start, before any check', async () => {
  await install('v1')
  h.restart()
  h.emu.setOnline(false)
  await openReader()
  expect(manifestState()).toEqual({ status: 'IDLE', version: 'v1' })
  expect(await servedVersions()).toEqual(all('v1'))
})

test('precached files share the file budget and evict kept images; a set that cannot fit is an error', async () => {
  reader.close()
  await openReader({ maxFileBytes: 6 * 1024 })
  h.server.serveFile('/static/old.png', Buffer.alloc(3000, 1), 'image/png')
  const old = await reader.image(site.url('/static/old.png'))
  await install('v1') // two 2 KiB files: the kept image must go
  expect(h.emu.files.exists(old)).toBe(false)
  // During an update both versions are on disk, and both count.
  site.publish('v2')
  reader.manifest(site.document({ cache: [...site.document().cache, site.url('/static/old.png')] }))
  expect(await failureOf(reader.manifest.update())).toBeInstanceOf(QuotaExceededError)
  expect(reader.manifest.version).toBe('v1')
})
