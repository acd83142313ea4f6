/**
 * uni-app's default H5 build in real Chromium (issue 14): the fixture app,
 * built against the packed tarball, records visits through the SDK while
 * the browser goes offline, reloads, reconnects and loses a page mid-send;
 * a loopback API counts what arrives. With SCREENSHOTS=1, screenshots go to docs/images/.
 */
import { join, resolve } from 'path'
import type { Page } from 'playwright-core'
import { startTestServer, type TestServer } from '../support/test-server'
import { buildUniApp, type BuiltApp } from './built-app'
import { launchChromium, type Browser } from './chromium'
import type { PageGlobals } from './page-globals'
import { startSiteServer, type SiteServer } from './site-server'

/** The guide's screenshots are taken again with `SCREENSHOTS=1 npx jest test/h5`; a plain test run leaves the docs alone. */
const IMAGES = process.env.SCREENSHOTS === '1' ? resolve(__dirname, '../../docs/images') : undefined

let app: BuiltApp
let api: TestServer
let site: SiteServer
let browser: Browser

beforeAll(async () => {
  app = buildUniApp()
  // For the report: how long a fresh build of the fixture takes here.
  console.log(`H5 fixture built (ms): ${JSON.stringify(app.timingsMs)}`)
  api = await startTestServer()
  site = await startSiteServer(app.dir, api.url)
  browser = await launchChromium()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await api?.close()
})

/** The labels the API applied, in arrival order. */
const appliedLabels = () => api.applied.map((request) => (request.body as { label: string }).label)

/** Opens the app's page (or its bare `#/pages/bench/bench` page, no list) and waits for the client. */
async function openPage(path = '/'): Promise<Page> {
  const page = await browser.context.newPage()
  await page.goto(`${site.url}${path}`)
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).visits !== undefined)
  await page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.ready)
  return page
}

const record = (page: Page, label: string) => page.evaluate((l) => (globalThis as unknown as PageGlobals).visits!.record(l), label)
const pendingLabels = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.pending())

async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((wake) => setTimeout(wake, 25))
  }
}

test('the default build starts the SDK: uni APIs kept, secure ids, named errors, the real storage capacity', async () => {
  const page = await openPage()
  const visits = await page.evaluate(() => {
    const v = (globalThis as unknown as PageGlobals).visits!
    return { capabilities: v.capabilities(), info: v.storageInfo(), errorName: v.errorName() }
  })
  expect(visits.capabilities).toMatchObject({ secureRandom: true, fileSystem: false, batchStorage: false, appLifecycle: true })
  expect(visits.errorName).toBe('InvalidArgumentError')

  // localStorage's real capacity, measured by filling it: the SDK's figure must not exceed it.
  const capacityChars = await page.evaluate(() => {
    const { localStorage } = globalThis as unknown as PageGlobals
    const probe = '__mpo_capacity_probe__'
    let low = 0
    let high = 16 * 1024 * 1024
    while (high - low > 1) {
      const size = Math.floor((low + high) / 2)
      try {
        localStorage.setItem(probe, 'x'.repeat(size))
        low = size
      } catch {
        high = size
      }
      localStorage.removeItem(probe)
    }
    let used = 0
    for (let i = 0; i < localStorage.length; i++) used += localStorage.key(i)!.length + localStorage.getItem(localStorage.key(i)!)!.length
    return low + probe.length + used
  })
  console.log(`localStorage holds ${capacityChars} characters; the SDK reports ${visits.info.limitSizeKB} KB`)
  expect(visits.info.limitSizeKB * 1024).toBeLessThanOrEqual(capacityChars)
  expect(visits.info.limitSizeKB * 1024).toBeGreaterThan(capacityChars * 0.9)
  await page.close()
}, 60_000)

test('offline, reload and reconnect: every visit arrives exactly once', async () => {
  const page = await openPage()
  expect(await record(page, '王记超市')).toBe('sent')
  expect(appliedLabels()).toEqual(['王记超市'])

  await browser.context.setOffline(true)
  await page.locator('.offline-bar').waitFor()
  expect(await page.locator('.offline-bar').textContent()).toContain('离线中')
  for (const label of ['李家便利店', '张氏五金', '老周水果']) expect(await record(page, label)).toBe('queued')
  await page.locator('.pending-item').nth(2).waitFor()
  if (IMAGES) await page.screenshot({ path: join(IMAGES, 'uni-h5-offline.png') })

  // A navigation while offline loads from the browser's cache; the three are still pending.
  await page.goto(`${site.url}/`)
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).visits !== undefined)
  await page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.ready)
  expect(await pendingLabels(page)).toEqual(['李家便利店', '张氏五金', '老周水果'])
  await page.locator('.pending-item').nth(2).waitFor()
  if (IMAGES) await page.screenshot({ path: join(IMAGES, 'uni-h5-pending.png') })
  expect(appliedLabels()).toEqual(['王记超市'])

  const requestsBefore = api.requests.length
  await browser.context.setOffline(false)
  // Started, within a second of the reconnect (how fast it then goes is the bench's business).
  await api.waitForRequests(requestsBefore + 1, 1000)
  await waitUntil(async () => (await pendingLabels(page)).length === 0, 'the outbox to drain')
  expect(appliedLabels()).toEqual(['王记超市', '李家便利店', '张氏五金', '老周水果'])
  expect(new Set(api.applied.map((request) => request.idempotencyKey)).size).toBe(4)
  await page.close()
}, 120_000)

test('a page closed while its live request is on the wire: the visit arrives once after reopening', async () => {
  const before = appliedLabels().length
  const page = await openPage()
  const hold = site.holdApi((path) => path.startsWith('/api/visits'))
  void record(page, '陈姐早餐').catch(() => undefined)
  await hold.waitForHeld(1)
  await page.close()
  await waitUntil(() => hold.dropped === 1, 'the held request to be dropped with its page')
  hold.release()

  const reopened = await openPage()
  await waitUntil(() => appliedLabels().length > before, 'the visit to arrive', 10_000)
  await waitUntil(async () => (await pendingLabels(reopened)).length === 0, 'the outbox to drain')
  expect(appliedLabels().slice(before)).toEqual(['陈姐早餐'])
  await reopened.close()
}, 60_000)

test("a full localStorage: the SDK's own typed QuotaExceededError comes before the browser's", async () => {
  const page = await openPage('/#/pages/bench/bench')
  await browser.context.setOffline(true)
  const refused = await page.evaluate(() => (globalThis as unknown as PageGlobals).visits!.fillUntilRefused(20_000))
  console.log(`localStorage filled: ${JSON.stringify(refused)}`)
  expect(refused).toMatchObject({ name: 'QuotaExceededError', code: 'QUOTA_EXCEEDED', limit: 'budget' })
  await page.close()
  // Empty the origin from a page without the app, so nothing replays the filler.
  await browser.context.setOffline(false)
  const blank = await browser.context.newPage()
  await blank.goto(`${site.url}/no-app-here.html`)
  await blank.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.clear())
  await blank.close()
}, 300_000)
