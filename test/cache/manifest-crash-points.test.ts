/**
 * The manifest swap write path: kill the app at every storage and file
 * write of an install, an update and a withdrawal in turn, cold-start it
 * offline, and check that exactly one version is served, whole (the old
 * one, or the new one when the crash came after the swap), that nothing
 * of any other version is left behind, and that the next update works.
 */
import type { OfflineReader } from '../../sdk/cache'
import { createManifestSite, type ManifestSite } from '../support/manifest-site'
import { waitUntil } from '../support/offline-harness'
import { createReaderHarness, type ReaderHarness } from '../support/reader-harness'

interface Phone {
  h: ReaderHarness
  site: ManifestSite
  reader: OfflineReader
}

interface Scenario {
  name: string
  /** The state before the write path runs. */
  setup(phone: Phone): Promise<void>
  /** The write path under test. */
  act(phone: Phone): Promise<unknown>
  /** Versions a cold start may serve afterwards (`undefined`: none). */
  outcomes: Array<string | undefined>
}

async function install(phone: Phone, version: string): Promise<void> {
  phone.site.publish(version)
  phone.reader.manifest(phone.site.document())
  await phone.reader.manifest.update()
}

const scenarios: Scenario[] = [
  { name: 'first install', setup: async () => undefined, act: (phone) => install(phone, 'v1'), outcomes: [undefined, 'v1'] },
  { name: 'update to a new version', setup: (phone) => install(phone, 'v1'), act: (phone) => install(phone, 'v2'), outcomes: ['v1', 'v2'] },
  {
    name: 'withdrawal',
    setup: (phone) => install(phone, 'v1'),
    act: async (phone) => {
      phone.reader.manifest(null)
      await phone.reader.manifest.update()
    },
    outcomes: ['v1', undefined],
  },
]

/** What each resource serves offline: its version, or why not. */
async function served(phone: Phone): Promise<string[]> {
  const { reader, site, h } = phone
  const responses = await Promise.all(
    site.responsePaths.map((path) =>
      reader.get<{ version: string }>({ url: site.url(path), strategy: 'cacheOnly' }).then(
        (result) => (result.source === 'precache' ? result.data.version : result.source),
        () => 'missing',
      ),
    ),
  )
  const files = await Promise.all(
    site.filePaths.map((path) =>
      reader.image(site.url(path)).then(
        (local) => h.emu.files.tryReadBytes(local)?.toString().split(':')[0] ?? 'no file',
        () => 'missing',
      ),
    ),
  )
  return [...responses, ...files]
}

/** Slots of precached responses in storage, and precache folders on disk. */
async function leftovers(phone: Phone): Promise<{ slots: string[]; folders: string[] }> {
  const slots = new Set<string>()
  for (const key of phone.h.emu.wx.getStorageInfoSync().keys) {
    const match = /^mpo\/test~cache\/h\.[0-9a-z]+\.\d+\.[0-9a-z]+\.m\.([0-9a-z]+)\./.exec(key)
    if (match) slots.add(match[1])
  }
  const folders = await phone.h
    .platform()
    .fs.readdir('wxfile://usr/mpo/test/~cache')
    .catch(() => [] as string[])
  return { slots: [...slots], folders: folders.filter((name) => name.startsWith('precache-')) }
}

async function run(scenario: Scenario, killAt: number | undefined) {
  const h = await createReaderHarness()
  const phone: Phone = { h, site: createManifestSite(h.server), reader: await h.open() }
  try {
    await scenario.setup(phone)
    const writesBefore = h.emu.faults.writes
    if (killAt !== undefined) h.emu.faults.killAtWrite(killAt)
    // A killed app's calls never answer: stop waiting once it is dead.
    await Promise.race([scenario.act(phone).catch(() => undefined), waitUntil(() => h.emu.faults.killed, 'the kill', 5000).catch(() => undefined)])
    const writes = h.emu.faults.writes - writesBefore
    const killed = h.emu.faults.killed
    h.restart()
    h.emu.setOnline(false)
    phone.reader = await h.open()
    await phone.reader.ready
    const version = phone.reader.manifest.version
    const after = { version, status: phone.reader.manifest.status, served: await served(phone), ...(await leftovers(phone)) }
    h.emu.setOnline(true)
    await install(phone, 'v3')
    const next = { version: phone.reader.manifest.version, served: await served(phone), ...(await leftovers(phone)) }
    return { writes, killed, after, next }
  } finally {
    await h.dispose()
  }
}

const covered: string[] = []
let crashPointsCovered = 0
afterAll(() => console.log(`manifest swap crash points covered: ${crashPointsCovered} (${covered.join(', ')})`))

describe.each(scenarios)('crash at every write: $name', (scenario) => {
  test('one version is served, whole; nothing else is left; the next update works', async () => {
    const { writes, after: uninterrupted } = await run(scenario, undefined)
    expect(writes).toBeGreaterThan(0)
    const seen = new Set([uninterrupted.version])
    for (let k = 1; k <= writes; k++) {
      const { killed, after, next } = await run(scenario, k)
      expect(killed).toBe(true)
      expect(scenario.outcomes).toContain(after.version)
      seen.add(after.version)
      if (after.version === undefined) {
        expect([k, after.slots, after.folders]).toEqual([k, [], []])
      } else {
        expect([k, after.status, after.served]).toEqual([k, 'IDLE', Array(6).fill(after.version)])
        expect([k, after.slots.length, after.folders.length]).toEqual([k, 1, 1])
      }
      expect([k, next.version, next.served, next.slots.length, next.folders.length]).toEqual([k, 'v3', Array(6).fill('v3'), 1, 1])
    }
    // Both sides of the swap were reached: the old state, and the new one.
    expect([...seen].sort()).toEqual([...scenario.outcomes].sort())
    crashPointsCovered += writes
    covered.push(`${scenario.name} ${writes}`)
  })
})
