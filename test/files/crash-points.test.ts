import { createOffline, type OfflineClient } from 'miniprogram-offline'
import { createWxPlatform } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { waitUntil } from '../support/offline-harness'
import { startTestServer, type TestServer } from '../support/test-server'
import { photoBytes } from './support'

/**
 * Crash at every storage and file write of keeping a photo and of replaying
 * a photo task, then cold-start: each upload arrives exactly once, the
 * record refers to what was uploaded, and no kept file is left behind.
 */

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const PHOTO = photoBytes(3000)

function open(emu: WxEmulator): OfflineClient {
  return createOffline({ platform: createWxPlatform(emu.wx, { clock: emu.clock }), namespace: 'crash' })
}

/** A task: upload the photo, then a record referring to it. */
function photoTask(emu: WxEmulator) {
  return {
    steps: [
      { upload: { url: `${server.url}/upload`, filePath: emu.createTempFile(PHOTO), name: 'file' } },
      { request: { url: `${server.url}/visits`, method: 'POST' as const, data: { photo: { $ref: 'steps.0.data.url' } } } },
    ],
  }
}

interface Scenario {
  name: string
  /** Before the write path: offline, with what was accepted already. */
  setup(emu: WxEmulator, client: OfflineClient): Promise<void>
  act(emu: WxEmulator, client: OfflineClient): Promise<unknown>
  /** Tasks that must be delivered in the end. */
  mustArrive: number
  /** Tasks the crash may have lost before they were accepted. */
  mayArrive: number
}

const scenarios: Scenario[] = [
  {
    name: 'keeping a photo task (file copy, then enqueue)',
    setup: async (emu, client) => void (await client.task(photoTask(emu))),
    act: (emu, client) => client.task(photoTask(emu)),
    mustArrive: 1,
    mayArrive: 1,
  },
  {
    name: 'replaying a photo task (upload, progress, record, removal, file deletion)',
    setup: async (emu, client) => void (await client.task(photoTask(emu))),
    act: async (emu, client) => {
      emu.setOnline(true)
      await client.flush()
      await waitUntil(() => client.status.get().pending === 0, 'replayed', 2000).catch(() => undefined)
    },
    mustArrive: 1,
    mayArrive: 0,
  },
]

async function run(scenario: Scenario, killAt: number | undefined) {
  server.reset()
  const emu = createWxEmulator({ online: false })
  let client = open(emu)
  await client.ready
  await scenario.setup(emu, client)
  const before = emu.faults.writes
  if (killAt !== undefined) emu.faults.killAtWrite(killAt)
  await scenario.act(emu, client).catch(() => undefined)
  const writes = emu.faults.writes - before
  const killed = emu.faults.killed
  client.close()
  emu.faults.kill()
  emu.restart()
  emu.setOnline(true)
  client = open(emu)
  await client.ready
  await waitUntil(() => client.status.get().pending === 0 && !client.status.get().syncing, `${scenario.name}: drained after a crash at ${killAt}`)
  const pendingAfter = client.pending()
  client.close()
  // Files are deleted after their entry leaves storage: give the unlinks a moment, then reopen to collect orphans.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const sweep = open(emu)
  await sweep.ready
  sweep.close()
  const filesLeft = emu.files.usedBytes
  await emu.dispose()
  const uploads = server.applied.filter((request) => request.path === '/upload')
  const records = server.applied.filter((request) => request.path === '/visits')
  return { writes, killed, uploads, records, filesLeft, pendingAfter }
}

let crashPoints = 0
afterAll(() => console.log(`file and task crash points covered: ${crashPoints}`))

describe.each(scenarios)('crash at every write: $name', (scenario) => {
  test('each upload arrives exactly once, records refer to it, no kept file is left', async () => {
    const { writes } = await run(scenario, undefined)
    expect(writes).toBeGreaterThan(1)
    for (let k = 1; k <= writes; k++) {
      const outcome = await run(scenario, k)
      expect(outcome.killed).toBe(true)
      expect(outcome.pendingAfter).toEqual([])
      expect(outcome.filesLeft).toBe(0)
      const delivered = outcome.records.length
      expect(delivered).toBeGreaterThanOrEqual(scenario.mustArrive)
      expect(delivered).toBeLessThanOrEqual(scenario.mustArrive + scenario.mayArrive)
      // One upload applied per delivered record, each byte-exact, each referred to by its record.
      expect(outcome.uploads).toHaveLength(delivered)
      outcome.uploads.forEach((upload) => expect(upload.multipart?.files[0].bytes.equals(PHOTO)).toBe(true))
      const photoUrls = outcome.records.map((record) => (record.body as { photo: string }).photo)
      expect(new Set(photoUrls).size).toBe(delivered)
      for (const url of photoUrls) {
        const served = Buffer.from(await (await fetch(`${server.url}${url}`)).arrayBuffer())
        expect(served.equals(PHOTO)).toBe(true)
      }
    }
    crashPoints += writes
  })
})
