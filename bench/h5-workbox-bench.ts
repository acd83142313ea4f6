/**
 * The SDK on uni-app H5 against Workbox's background-sync `Queue`, side by
 * side in one Chromium: enqueue 1,000 requests while offline, replay them
 * against a loopback API that takes 20 ms an answer, the storage each one
 * uses, and what a kill (the page closed) mid-replay loses or repeats.
 *
 * The SDK runs inside the test fixture (test/fixtures/uni-h5), a uni-app app
 * with default settings built against the packed tarball; Workbox runs in a
 * plain page on the same origin, its `Queue` bundled with rollup. Run alone
 * with `npx ts-node --transpile-only bench/h5-workbox-bench.ts`.
 */
import { writeFileSync } from 'fs'
import { join, resolve } from 'path'
import type { Page } from 'playwright-core'
import { rollup, type Plugin } from 'rollup'
import { buildUniApp } from '../test/h5/built-app'
import { launchChromium, type Browser } from '../test/h5/chromium'
import type { PageGlobals } from '../test/h5/page-globals'
import { startSiteServer, type SiteServer } from '../test/h5/site-server'
import { startTestServer, type TestServer } from '../test/support/test-server'
import { printTable, type BenchSection } from './bench-section'

const ENTRIES = Number(process.env.BENCH_H5_ENTRIES ?? 1000)
const KILL_ENTRIES = 100
/** The kill comes while this request of the replay is on the wire. */
const KILL_AT = 51
const LATENCY_MS = 20
const NODE_MODULES = resolve(__dirname, '../node_modules')

/** Workbox's `Queue` as one script for a page: bare imports resolved by hand, production mode. */
async function bundleWorkboxQueue(): Promise<string> {
  const plugins: Plugin[] = [
    {
      name: 'entry-and-bare-imports',
      resolveId(source) {
        if (source === 'entry') return '\0entry'
        if (source === 'idb') return join(NODE_MODULES, 'idb/build/index.js')
        if (source.startsWith('workbox-')) return join(NODE_MODULES, source)
        return null
      },
      load(id) {
        return id === '\0entry' ? "export { Queue } from 'workbox-background-sync/Queue.js'" : null
      },
    },
    { name: 'production', transform: (code) => code.replace(/process\.env\.NODE_ENV/g, '"production"') },
  ]
  const bundle = await rollup({ input: 'entry', plugins })
  const { output } = await bundle.generate({ format: 'iife', name: 'WorkboxBackgroundSync' })
  await bundle.close()
  return output[0].code
}

/**
 * A page for Workbox. `Queue` is made for a service worker: its constructor
 * reads `self.registration`, which a page lacks, so the page shims it with
 * an object without `sync`. Workbox then takes its fallback and replays on
 * construction, as a service worker does on start-up.
 */
const WORKBOX_PAGE = `<!DOCTYPE html><meta charset="utf-8"><title>workbox</title>
<script>self.registration = {}</script>
<script src="/workbox-queue.js"></script>
<script>
window.wb = {
  open(name) { window.queue = new WorkboxBackgroundSync.Queue(name) },
  async enqueue(labels, url) {
    const started = performance.now()
    for (const label of labels) {
      const request = new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label }) })
      await window.queue.pushRequest({ request })
    }
    return performance.now() - started
  },
  async replay() {
    const started = performance.now()
    await window.queue.replayRequests()
    return performance.now() - started
  },
  async size() { return (await window.queue.getAll()).length },
}
</script>`

interface Rig {
  api: TestServer
  site: SiteServer
  browser: Browser
}

const labels = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)

async function openSdkPage(rig: Rig): Promise<Page> {
  const page = await rig.browser.context.newPage()
  // The fixture's bench page: the client alone, no list for Vue to re-render on every change.
  await page.goto(`${rig.site.url}/#/pages/bench/bench`)
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).visits !== undefined)
  await page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.ready)
  return page
}

async function openWorkboxPage(rig: Rig, queueName: string): Promise<Page> {
  const page = await rig.browser.context.newPage()
  await page.goto(`${rig.site.url}/workbox.html`)
  await page.evaluate((name) => (globalThis as unknown as PageGlobals).wb.open(name), queueName)
  return page
}

async function sdkEnqueue(page: Page, all: string[]): Promise<number> {
  return page.evaluate(async (list) => {
    const { visits, performance } = globalThis as unknown as PageGlobals
    const started = performance.now()
    for (const label of list) await visits!.record(label)
    return performance.now() - started
  }, all)
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`h5 bench: timed out waiting for ${what}`)
    await new Promise((wake) => setTimeout(wake, 10))
  }
}

/** UTF-16 bytes (what Chromium counts against the quota) of the SDK's localStorage keys. */
async function sdkStorageBytes(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { localStorage } = globalThis as unknown as PageGlobals
    let chars = 0
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!
      if (key.startsWith('mpo/')) chars += key.length + localStorage.getItem(key)!.length
    }
    return chars * 2
  })
}

async function indexedDbBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const estimate = await (globalThis as unknown as PageGlobals).navigator.storage.estimate()
    return estimate.usageDetails?.indexedDB ?? 0
  })
}

async function clearOrigin(rig: Rig): Promise<void> {
  const page = await rig.browser.context.newPage()
  await page.goto(`${rig.site.url}/workbox.html`)
  await page.evaluate(async () => {
    const { localStorage, indexedDB } = globalThis as unknown as PageGlobals
    localStorage.clear()
    const databases = await indexedDB.databases()
    const deleted = databases.map(
      (db) =>
        new Promise<void>((done) => {
          const request = indexedDB.deleteDatabase(db.name!)
          request.onsuccess = request.onerror = request.onblocked = () => done()
        }),
    )
    await Promise.all(deleted)
  })
  await page.close()
}

interface Side {
  enqueueMs: number
  replayMs: number
  storageBytes: number
  applied: number
}

async function measureSdk(rig: Rig): Promise<Side> {
  await clearOrigin(rig)
  rig.api.reset()
  const page = await openSdkPage(rig)
  await rig.browser.context.setOffline(true)
  await until(() => page.evaluate(() => !(globalThis as unknown as PageGlobals).visits!.status().online), 'the SDK to see the browser offline')
  const enqueueMs = await sdkEnqueue(page, labels('sdk', ENTRIES))
  const storageBytes = await sdkStorageBytes(page)
  const started = Date.now()
  await rig.browser.context.setOffline(false)
  await until(() => rig.api.applied.length >= ENTRIES, 'the SDK replay')
  const replayMs = Date.now() - started
  await until(async () => (await page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.pending().length)) === 0, 'the SDK outbox to empty')
  await page.close()
  return { enqueueMs, replayMs, storageBytes, applied: rig.api.applied.length }
}

async function measureWorkbox(rig: Rig): Promise<Side> {
  await clearOrigin(rig)
  rig.api.reset()
  await rig.browser.context.setOffline(true)
  const page = await openWorkboxPage(rig, 'visits')
  const before = await indexedDbBytes(page)
  const enqueueMs = await page.evaluate(
    ([list, url]) => (globalThis as unknown as PageGlobals).wb.enqueue(list, url),
    [labels('wb', ENTRIES), `${rig.site.url}/api/visits`] as [string[], string],
  )
  const storageBytes = (await indexedDbBytes(page)) - before
  await rig.browser.context.setOffline(false)
  const replayMs = await page.evaluate(() => (globalThis as unknown as PageGlobals).wb.replay())
  await page.close()
  return { enqueueMs, replayMs, storageBytes, applied: rig.api.applied.length }
}

interface KillOutcome {
  lost: number
  appliedTwice: number
  arrivals: number
}

/** Labels the API applied 0 times and more than once, out of `expected`. */
function outcome(rig: Rig, expected: string[]): KillOutcome {
  const counts = new Map<string, number>(expected.map((label) => [label, 0]))
  for (const request of rig.api.applied) {
    const label = (request.body as { label: string }).label
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  const values = [...counts.values()]
  return { lost: values.filter((n) => n === 0).length, appliedTwice: values.filter((n) => n > 1).length, arrivals: rig.api.requests.length }
}

/** Holds the replay's `KILL_AT`-th request on the wire, closes the page, reopens it, lets it finish. */
async function killMidReplay(rig: Rig, start: () => Promise<Page>, resume: () => Promise<Page>, expected: string[], drained: (page: Page) => Promise<boolean>): Promise<KillOutcome> {
  let seen = 0
  const hold = rig.site.holdApi(() => ++seen === KILL_AT)
  const page = await start()
  await hold.waitForHeld(1, 60_000)
  await page.close()
  await until(() => hold.dropped === 1, 'the held request to go with its page')
  hold.release()
  const reopened = await resume()
  await until(() => drained(reopened), 'the replay after the kill')
  await reopened.close()
  return outcome(rig, expected)
}

async function sdkKill(rig: Rig): Promise<KillOutcome> {
  await clearOrigin(rig)
  rig.api.reset()
  const expected = labels('sdk-kill', KILL_ENTRIES)
  await rig.browser.context.setOffline(true)
  const page = await openSdkPage(rig)
  await sdkEnqueue(page, expected)
  const pendingOf = (p: Page) => p.evaluate(() => (globalThis as unknown as PageGlobals).visits!.pending().length)
  return killMidReplay(
    rig,
    async () => {
      await rig.browser.context.setOffline(false)
      return page
    },
    () => openSdkPage(rig),
    expected,
    async (reopened) => (await pendingOf(reopened)) === 0,
  )
}

async function workboxKill(rig: Rig): Promise<KillOutcome> {
  await clearOrigin(rig)
  rig.api.reset()
  const expected = labels('wb-kill', KILL_ENTRIES)
  await rig.browser.context.setOffline(true)
  const page = await openWorkboxPage(rig, 'kill')
  await page.evaluate(
    ([list, url]) => (globalThis as unknown as PageGlobals).wb.enqueue(list, url),
    [expected, `${rig.site.url}/api/visits`] as [string[], string],
  )
  const sizeOf = (p: Page) => p.evaluate(() => (globalThis as unknown as PageGlobals).wb.size())
  return killMidReplay(
    rig,
    async () => {
      await rig.browser.context.setOffline(false)
      void page.evaluate(() => (globalThis as unknown as PageGlobals).wb.replay()).catch(() => undefined)
      return page
    },
    // A new Queue replays on construction (its fallback without `sync`). A second replayRequests()
    // alongside would race it for the same head entry, so the bench only waits.
    () => openWorkboxPage(rig, 'kill'),
    expected,
    async (reopened) => (await sizeOf(reopened)) === 0 && rig.api.inFlight === 0,
  )
}

const ratio = (ours: number, theirs: number) => (theirs === 0 ? 'n/a' : `${(ours / theirs).toFixed(2)}x`)

async function run(): Promise<void> {
  const app = buildUniApp()
  writeFileSync(join(app.dir, 'workbox-queue.js'), await bundleWorkboxQueue())
  writeFileSync(join(app.dir, 'workbox.html'), WORKBOX_PAGE)
  const api = await startTestServer({ latencyMs: LATENCY_MS })
  const site = await startSiteServer(app.dir, api.url)
  const browser = await launchChromium()
  const rig: Rig = { api, site, browser }
  try {
    const sdk = await measureSdk(rig)
    const workbox = await measureWorkbox(rig)
    printTable(`uni-app H5 in Chromium: ${ENTRIES.toLocaleString('en-US')} POSTs enqueued offline, then replayed at ${LATENCY_MS} ms a request`, [
      { measure: 'enqueue (ms)', 'miniprogram-offline': sdk.enqueueMs, 'workbox Queue': workbox.enqueueMs, 'ours/workbox': ratio(sdk.enqueueMs, workbox.enqueueMs) },
      { measure: 'replay (ms)', 'miniprogram-offline': sdk.replayMs, 'workbox Queue': workbox.replayMs, 'ours/workbox': ratio(sdk.replayMs, workbox.replayMs) },
      { measure: 'replay floor (ms)', 'miniprogram-offline': ENTRIES * LATENCY_MS, 'workbox Queue': ENTRIES * LATENCY_MS, 'ours/workbox': '' },
      { measure: 'storage (bytes)', 'miniprogram-offline': sdk.storageBytes, 'workbox Queue': workbox.storageBytes, 'ours/workbox': ratio(sdk.storageBytes, workbox.storageBytes) },
      { measure: 'applied by the API', 'miniprogram-offline': sdk.applied, 'workbox Queue': workbox.applied, 'ours/workbox': '' },
    ], [
      'Same browser, same origin, same loopback API (20 ms an answer), one after the other; a page-side clock times enqueue and Workbox replay, the bench clock times the SDK replay (from going online to the last request applied).',
      "Storage: the SDK's localStorage keys as Chromium counts them (UTF-16, 2 bytes a character); Workbox: IndexedDB usage from navigator.storage.estimate() before and after.",
      "Workbox's Queue is made for a service worker: in a page its constructor needs `self.registration`, shimmed here as `{}` (no `sync`), so it takes its fallback path.",
    ])
    const sdkKilled = await sdkKill(rig)
    const workboxKilled = await workboxKill(rig)
    printTable(`Kill mid-replay: ${KILL_ENTRIES} queued, the page closed while replay request ${KILL_AT} is on the wire (not yet at the API), then reopened`, [
      { queue: 'miniprogram-offline', lost: sdkKilled.lost, 'applied twice': sdkKilled.appliedTwice, 'requests at the API': sdkKilled.arrivals },
      { queue: 'workbox Queue', lost: workboxKilled.lost, 'applied twice': workboxKilled.appliedTwice, 'requests at the API': workboxKilled.arrivals },
    ], [
      'Workbox takes an entry out of IndexedDB (shiftRequest) before its fetch, so the request on the wire dies with the page; the SDK removes an entry only after its answer, and its Idempotency-Key makes a resend harmless.',
      `Building the fixture for this bench took (ms): ${JSON.stringify(app.timingsMs)}.`,
    ])
  } finally {
    await browser.close()
    await site.close()
    await api.close()
  }
}

/** Registered in bench/index.ts as the `h5` section. */
export const h5WorkboxBench: BenchSection = {
  name: 'h5',
  description: "the SDK in uni-app's H5 build against Workbox's Queue, in the same Chromium",
  run,
}

// Run directly (not through bench/index.ts): `npx ts-node --transpile-only bench/h5-workbox-bench.ts`.
if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  run().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
