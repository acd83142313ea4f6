/**
 * `image(url)`: a local path for `<image src>`, downloaded once through
 * `wx.downloadFile`, kept under `USER_DATA_PATH/mpo/<namespace>/~cache/images`
 * across restarts, least recently used out first within the file budget.
 */
import type { OfflineReader, OfflineReaderOptions } from '../../sdk/cache'
import { CacheMissError, HttpStatusError, UnsupportedError } from 'miniprogram-offline'
import type { WxEmulatorOptions } from 'miniprogram-offline/testing'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'
import { waitUntil } from '../support/offline-harness'

const KIB = 1024
const IMAGES = 'wxfile://usr/mpo/test/~cache/images'

let h: ReaderHarness
let reader: OfflineReader

async function setUp(options: OfflineReaderOptions = {}, emulator: WxEmulatorOptions = {}): Promise<void> {
  h = await createReaderHarness(emulator)
  reader = await h.open(options)
}
afterEach(() => h.dispose())

/** Serves a distinct image of `kb` KiB at `/static/<name>` and returns its URL and bytes. */
function serveImage(name: string, kb = 4): { url: string; bytes: Buffer } {
  const bytes = Buffer.alloc(kb * KIB, name)
  h.server.serveFile(`/static/${name}`, bytes, 'image/png')
  return { url: `${h.server.url}/static/${name}`, bytes }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (error: unknown) => error,
  )
}

async function keptFiles(): Promise<string[]> {
  return (await h.platform().fs.readdir(IMAGES).catch(() => [] as string[])).sort()
}

test('downloaded once into the SDK folder; later calls give the kept path without the network', async () => {
  await setUp()
  const map = serveImage('map-1.png')
  const path = await reader.image(map.url)
  expect(path.startsWith(`${IMAGES}/`)).toBe(true)
  expect(path.endsWith('.png')).toBe(true)
  expect(h.emu.files.tryReadBytes(path)).toEqual(map.bytes)
  expect(await reader.image(map.url)).toBe(path)
  expect(h.server.requests).toHaveLength(1)
  expect(h.emu.files.listTempFiles()).toEqual([])
})

test('kept across a cold start: offline, the kept copy', async () => {
  await setUp()
  const map = serveImage('map-1.png')
  const path = await reader.image(map.url)
  h.restart()
  h.emu.setOnline(false)
  reader = await h.open()
  expect(await reader.image(map.url)).toBe(path)
  expect(h.emu.files.tryReadBytes(path)).toEqual(map.bytes)
})

test('offline and not kept: a CacheMissError', async () => {
  await setUp()
  const map = serveImage('map-1.png')
  h.emu.setOnline(false)
  const error = await failureOf(reader.image(map.url))
  expect(error).toBeInstanceOf(CacheMissError)
  expect(error).toMatchObject({ code: 'CACHE_MISS', url: map.url })
})

test('a non-2xx answer is an HttpStatusError and nothing is kept', async () => {
  await setUp()
  const error = await failureOf(reader.image(`${h.server.url}/static/missing.png`))
  expect(error).toBeInstanceOf(HttpStatusError)
  expect(error).toMatchObject({ statusCode: 404 })
  expect(await keptFiles()).toEqual([])
  expect(h.emu.files.listTempFiles()).toEqual([])
})

test('the file budget: least recently used images go first', async () => {
  await setUp({ maxFileBytes: 10 * KIB })
  const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((name) => serveImage(name, 4))
  const pathA = await reader.image(a.url)
  h.emu.clock.advance(1000)
  const pathB = await reader.image(b.url)
  h.emu.clock.advance(1000)
  await reader.image(a.url) // a is now the more recently used
  h.emu.clock.advance(1000)
  const pathC = await reader.image(c.url)
  expect(h.emu.files.exists(pathA)).toBe(true)
  expect(h.emu.files.exists(pathB)).toBe(false)
  expect(h.emu.files.exists(pathC)).toBe(true)
  expect(await keptFiles()).toHaveLength(2)
  h.emu.setOnline(false)
  expect(await failureOf(reader.image(b.url))).toBeInstanceOf(CacheMissError)
})

test('an image bigger than the whole budget is shown from its temp path and not kept', async () => {
  await setUp({ maxFileBytes: 10 * KIB })
  const huge = serveImage('huge.png', 12)
  const path = await reader.image(huge.url)
  expect(path.startsWith('wxfile://tmp/')).toBe(true)
  expect(h.emu.files.tryReadBytes(path)).toEqual(huge.bytes)
  expect(await keptFiles()).toEqual([])
})

test('concurrent calls for one URL share one download', async () => {
  await setUp()
  const map = serveImage('map-1.png')
  h.server.setLatency(100)
  const paths = await Promise.all([1, 2, 3, 4].map(() => reader.image(map.url)))
  expect(new Set(paths).size).toBe(1)
  expect(h.server.requests).toHaveLength(1)
})

test('a kept file deleted behind the SDK is downloaded again', async () => {
  await setUp()
  const map = serveImage('map-1.png')
  const path = await reader.image(map.url)
  await h.platform().fs.unlink(path)
  expect(h.emu.files.tryReadBytes(await reader.image(map.url))).toEqual(map.bytes)
  expect(h.server.requests).toHaveLength(2)
})

test('without a file system (uni-app H5) image() is unsupported and get() still works', async () => {
  await setUp({}, { fileSystem: false })
  const error = await failureOf(reader.image(`${h.server.url}/static/a.png`))
  expect(error).toBeInstanceOf(UnsupportedError)
  expect(error).toMatchObject({ code: 'UNSUPPORTED', capability: 'fileSystem' })
  await reader.get({ url: `${h.server.url}/customers` })
  h.emu.setOnline(false)
  expect((await reader.get({ url: `${h.server.url}/customers` })).source).toBe('cache')
})

let imageCrashPoints = 0
afterAll(() => console.log(`image keep crash points covered: ${imageCrashPoints}`))

test('a crash at any write of keeping an image leaves it kept whole or not at all, and no orphan file', async () => {
  async function run(killAt: number | undefined) {
    await setUp()
    const map = serveImage('map-1.png')
    const writesBefore = h.emu.faults.writes
    if (killAt !== undefined) h.emu.faults.killAtWrite(killAt)
    await Promise.race([reader.image(map.url).catch(() => undefined), waitUntil(() => h.emu.faults.killed, 'killed', 3000).catch(() => undefined)])
    const writes = h.emu.faults.writes - writesBefore
    const killed = h.emu.faults.killed
    h.restart()
    h.emu.setOnline(false)
    reader = await h.open()
    await reader.ready
    const kept = await reader.image(map.url).then(
      (path) => h.emu.files.tryReadBytes(path),
      (error: unknown) => error,
    )
    const files = await keptFiles()
    await h.dispose()
    return { writes, killed, kept, files, bytes: map.bytes }
  }
  const { writes } = await run(undefined)
  expect(writes).toBeGreaterThanOrEqual(3)
  for (let k = 1; k <= writes; k++) {
    const { killed, kept, files, bytes } = await run(k)
    expect(killed).toBe(true)
    if (kept instanceof CacheMissError) expect([k, files]).toEqual([k, []])
    else expect([k, kept]).toEqual([k, bytes])
  }
  imageCrashPoints += writes
})
