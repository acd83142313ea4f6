/**
 * @jest-environment jsdom
 */
import * as path from 'path'
import { createWxPlatform } from '../../sdk/platform/wx-platform'
import { createWxEmulator, type WxEmulator } from '../../sdk/testing'
import { startTestServer, type TestServer } from '../support/test-server'
import { waitUntil } from '../support/offline-harness'

// The demo requires the shipped components' helpers by their package path, as
// an app does after 构建 npm; jest maps that path to the source folder.

/**
 * The demo's pages and the package's offline bar and sync center, rendered by miniprogram-simulate with
 * the emulator's `wx` installed first (simulate keeps functions already on
 * `global.wx`), talking to a real loopback server.
 */

const ROOT = path.join(__dirname, '../../demo-miniprogram')
const COMPONENTS = path.join(__dirname, '../../sdk/components')
/** The pages name the components by package path; simulate finds them by a path relative to the page. */
function shippedComponents(page: string): Record<string, string> {
  const from = path.dirname(path.join(ROOT, page))
  return Object.fromEntries(['offline-bar', 'sync-center'].map((name) => [name, path.relative(from, path.join(COMPONENTS, name, 'index'))]))
}
const CUSTOMERS = [
  { id: 'c01', name: '王记超市', address: '解放路 1 号' },
  { id: 'c02', name: '李家便利', address: '人民路 8 号' },
]

/**
 * The part of miniprogram-simulate these tests use. Typed here because its
 * own typings pull in an old copy of miniprogram-api-typings that would
 * change `WechatMiniprogram.Wx` for the whole type check.
 */
interface Rendered {
  // The page's own methods and data, as the component instance has them.
  instance: Record<string, any>
  data: Record<string, any>
  dom?: { textContent: string | null }
  querySelector(selector: string): Rendered | undefined
  attach(parent: unknown): void
  detach(): void
}
interface Simulate {
  load(path: string, options: { rootPath: string; usingComponents: Record<string, string> }): string
  render(id: string): Rendered
}
const dom = globalThis as unknown as { document: { createElement(tag: string): unknown } }
interface DemoService {
  configure(overrides: object): void
  getOffline(): import('../../sdk/client/offline-client').OfflineClient
  OFFLINE_TOAST: string
  SENT_TOAST: string
}

let emu: WxEmulator
let server: TestServer
let simulate: Simulate
let service: DemoService
let toasts: string[]
let rendered: Rendered[]

beforeEach(async () => {
  jest.resetModules()
  emu = createWxEmulator()
  server = await startTestServer()
  server.respondWith((request) => {
    if (request.path === '/customers') return { body: { customers: CUSTOMERS } }
    if (request.path === '/photos') return { body: { url: `/photos/p${request.seq}`, size: request.multipart?.files[0]?.bytes.length } }
    return undefined
  })
  const globals = globalThis as unknown as { wx: Record<string, unknown> }
  globals.wx = { ...emu.wx } as unknown as Record<string, unknown>
  simulate = require('miniprogram-simulate')
  toasts = []
  globals.wx.showToast = (options: { title: string }) => void toasts.push(options.title)
  globals.wx.chooseMedia = () => Promise.resolve({ tempFiles: [{ tempFilePath: emu.createTempFile(Buffer.from('photo bytes')) }] })
  service = require(path.join(ROOT, 'services/offline'))
  service.configure({ apiBase: server.url, platform: createWxPlatform(emu.wx, { clock: emu.clock }), namespace: 'demo-test' })
  rendered = []
  loaded = new Map()
})

afterEach(async () => {
  rendered.forEach((component) => component.detach())
  service.configure({})
  await server.close()
  await emu.dispose()
})

/** Component ids by page: simulate registers a path once, then renders it as often as asked. */
let loaded: Map<string, string>

function render(page: string): Rendered {
  let id = loaded.get(page)
  if (id === undefined) {
    // The repo as root: the pages and the components' sources both lie inside it.
    id = simulate.load(path.join(ROOT, page), { rootPath: path.join(ROOT, '..'), usingComponents: shippedComponents(page) })
    loaded.set(page, id)
  }
  const component = simulate.render(id)
  component.attach(dom.document.createElement('parent-wrapper'))
  rendered.push(component)
  return component
}

function barText(component: Rendered): string {
  const bar = component.querySelector('.offline-bar')
  return bar?.dom?.textContent?.trim() ?? ''
}

test('visit page: submitting offline shows the queued state and the offline toast; reconnecting sends it and says so', async () => {
  const page = render('pages/visit/index')
  await waitUntil(() => page.instance.data.customers.length === 2, 'customers loaded')
  emu.setOnline(false)
  await waitUntil(() => barText(page) === '离线', 'the bar says offline')

  page.instance.pickCustomer({ currentTarget: { dataset: { id: 'c01' } } })
  page.instance.onNotes({ detail: { value: '客户对新品感兴趣' } })
  await page.instance.addPhoto()
  await page.instance.submit()
  expect(page.instance.data.result).toEqual({ status: 'queued', text: '已保存，网络恢复后自动上传' })
  expect(toasts).toContain(service.OFFLINE_TOAST)
  expect(barText(page)).toBe('离线 · 1 条待发送')
  expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(0)

  emu.setOnline(true)
  await waitUntil(() => barText(page) === '全部已发送', 'the bar says all sent')
  expect(toasts).toContain(service.SENT_TOAST)
  const visit = server.applied.find((request) => request.path === '/visits')
  expect(visit?.body).toMatchObject({ customerId: 'c01', notes: '客户对新品感兴趣', photos: [expect.stringMatching(/^\/photos\/p\d+$/)] })
})

test('visit page: the customer list still shows offline, from the cache', async () => {
  const first = render('pages/visit/index')
  await waitUntil(() => first.instance.data.customers.length === 2, 'customers loaded online')
  emu.setOnline(false)
  const second = render('pages/visit/index')
  await waitUntil(() => second.instance.data.customers.length === 2, 'customers loaded offline')
  expect(second.instance.data.fromCache).toBe(true)
})

test('delivery page: confirming offline queues one task of three steps; online it goes out in order', async () => {
  emu.setOnline(false)
  const page = render('pages/delivery/index')
  page.instance.onTrackingNo({ detail: { value: 'SF1001' } })
  await page.instance.takeSignature()
  await page.instance.takeParcel()
  await page.instance.confirm()
  expect(page.instance.data.result.status).toBe('queued')
  expect(service.getOffline().pending()).toEqual([expect.objectContaining({ progress: { done: 0, total: 3 }, metadata: { title: '签收 SF1001', kind: 'delivery' } })])
  emu.setOnline(true)
  await waitUntil(() => service.getOffline().status.get().pending === 0, 'delivered')
  expect(server.applied.map((request) => request.path)).toEqual(['/photos', '/photos', '/deliveries'])
  expect(server.applied[2].body).toMatchObject({ trackingNo: 'SF1001', signature: expect.stringMatching(/^\/photos\//), photo: expect.stringMatching(/^\/photos\//) })
})

/** The package's sync-center inside the sync page. */
function syncCenter(page: Rendered): Rendered {
  const center = page.querySelector('.sync-center')
  if (!center) throw new Error('the sync page has no sync-center')
  return center
}

test('sync center: lists pending items, shows a dead letter with its error, and retries it', async () => {
  emu.setOnline(false)
  const offline = service.getOffline()
  await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 }, metadata: { title: '拜访 王记超市' } })
  const page = render('pages/sync/index')
  const center = syncCenter(page)
  expect(center.data.items).toEqual([expect.objectContaining({ title: '拜访 王记超市', state: 'pending' })])
  expect(center.querySelector('.sync-center__title')?.dom?.textContent).toBe('拜访 王记超市')

  let refuse = true
  server.respondWith((request) => (request.path === '/visits' && refuse ? { status: 422, body: { error: 'bad' } } : undefined))
  emu.setOnline(true)
  await waitUntil(() => center.data.items[0]?.state === 'deadLetter', 'dead letter shown')
  expect(center.data.items[0].reason).toBe('HTTP 422 · bad')
  expect(barText(page)).toBe('1 条发送失败，请到同步中心处理')

  refuse = false
  await center.instance.retry({ currentTarget: { dataset: { id: center.data.items[0].id } } })
  await waitUntil(() => center.data.items.length === 0, 'list empty after retry')
  expect(center.data.usage).toMatch(/^存储 \d+ KB \/ 6144 KB · 文件 /)
})

test('sync center: discarding a dead letter removes it from the list', async () => {
  const offline = service.getOffline()
  server.respondWith((request) => (request.path === '/bad' ? { status: 400 } : undefined))
  await offline.ready
  emu.setOnline(false)
  const { id } = await offline.request({ url: `${server.url}/bad`, method: 'POST', data: {} })
  const center = syncCenter(render('pages/sync/index'))
  emu.setOnline(true)
  await waitUntil(() => center.data.items[0]?.state === 'deadLetter', 'dead letter shown')
  center.instance.discard({ currentTarget: { dataset: { id } } })
  expect(center.data.items).toEqual([])
})

test('offline bar: 同步中 n/m while a backlog drains', async () => {
  emu.setOnline(false)
  const offline = service.getOffline()
  for (let i = 0; i < 4; i++) await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { i } })
  const page = render('pages/sync/index')
  const seen: string[] = []
  const stop = offline.status.subscribe(() => seen.push(barText(page)))
  server.setLatency(20)
  emu.setOnline(true)
  await waitUntil(() => barText(page) === '全部已发送', 'drained')
  stop()
  expect(seen).toEqual(expect.arrayContaining(['同步中 1/4', '同步中 2/4', '同步中 3/4']))
})
