/**
 * @jest-environment jsdom
 */
import * as path from 'path'
import { createOffline, createWxPlatform, type OfflineClient, type SyncStatus } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from '../support/test-server'
import { waitUntil } from '../support/offline-harness'

/**
 * The components shipped in `miniprogram_dist/components/`, rendered by
 * miniprogram-simulate from their sources, fed by a real client on the
 * emulator's `wx`, talking to a real loopback server.
 */

const COMPONENTS = path.join(__dirname, '../../sdk/components')

/** The part of miniprogram-simulate these tests use (its own typings pull in an old miniprogram-api-typings). */
interface Node {
  instance: Record<string, any>
  data: Record<string, any>
  dom?: { textContent: string | null }
  querySelector(selector: string): Node | undefined
  querySelectorAll(selector: string): Node[]
  dispatchEvent(name: string, options?: object): void
  addEventListener?(name: string, handler: (event: { detail: unknown }) => void): void
  attach(parent: unknown): void
  detach(): void
}
interface Simulate {
  load(pathOrDefinition: string | object, options?: object): string
  render(id: string, properties?: object): Node
}
type ComponentsModule = typeof import('../../sdk/components')
const dom = globalThis as unknown as { document: { createElement(tag: string): unknown } }

let emu: WxEmulator
let server: TestServer
let simulate: Simulate
let components: ComponentsModule
let offline: OfflineClient
let rendered: Node[]

// One simulate and one set of components for the file: simulate's registry of
// component ids lives in jsdom's globals, so reloading it per test mixes ids up.
beforeAll(() => {
  simulate = require('miniprogram-simulate')
  // After simulate: it defines the global `Behavior` the status behavior is made with.
  components = require(COMPONENTS)
})

beforeEach(async () => {
  emu = createWxEmulator()
  server = await startTestServer()
  offline = createOffline({ namespace: 'components-test', platform: createWxPlatform(emu.wx, { clock: emu.clock }) })
  await offline.ready
  rendered = []
})

afterEach(async () => {
  rendered.forEach((node) => node.detach())
  components.provideOffline(undefined)
  offline.close()
  await server.close()
  await emu.dispose()
})

const loaded = new Map<string, string>()

function render(component: string | object, properties?: object): Node {
  let id = typeof component === 'string' ? loaded.get(component) : undefined
  if (id === undefined) id = typeof component === 'string' ? simulate.load(path.join(COMPONENTS, component, 'index'), { rootPath: COMPONENTS }) : simulate.load(component)
  if (typeof component === 'string') loaded.set(component, id)
  const node = simulate.render(id, properties)
  node.attach(dom.document.createElement('parent-wrapper'))
  rendered.push(node)
  return node
}

function barText(bar: Node): string {
  return bar.querySelector('.offline-bar')?.dom?.textContent?.trim() ?? ''
}

const url = (p: string) => `${server.url}${p}`

describe('offline-bar', () => {
  test('shows nothing until a client is provided, then offline, waiting, needs attention and all sent', async () => {
    const bar = render('offline-bar')
    expect(bar.querySelector('.offline-bar')).toBeUndefined()

    emu.setOnline(false)
    components.provideOffline(offline)
    await waitUntil(() => barText(bar) === '离线', 'offline')
    await offline.request({ url: url('/visits'), method: 'POST', data: { n: 1 } })
    await offline.request({ url: url('/bad'), method: 'POST', data: { n: 2 } })
    expect(barText(bar)).toBe('离线 · 2 条待发送')
    expect(bar.querySelector('.offline-bar--offline')).toBeDefined()

    server.respondWith((request) => (request.path === '/bad' ? { status: 422, body: { message: '手机号格式不对' } } : undefined))
    emu.setOnline(true)
    await waitUntil(() => barText(bar) === '1 条发送失败，请到同步中心处理', 'needs attention')
    expect(bar.querySelector('.offline-bar--attention')).toBeDefined()

    const [dead] = offline.pending()
    offline.discard(dead.id)
    await waitUntil(() => barText(bar) === '全部已发送', 'all sent')
  })

  test('counts a draining backlog: 同步中 n/m', async () => {
    emu.setOnline(false)
    for (let i = 0; i < 3; i++) await offline.request({ url: url('/visits'), method: 'POST', data: { i } })
    components.provideOffline(offline)
    const bar = render('offline-bar')
    const seen: string[] = []
    const stop = offline.status.subscribe(() => seen.push(barText(bar)))
    server.setLatency(20)
    emu.setOnline(true)
    await waitUntil(() => barText(bar) === '全部已发送', 'drained')
    stop()
    expect(seen).toEqual(expect.arrayContaining(['同步中 1/3', '同步中 2/3']))
  })

  test('hide-when-done hides the strip once everything is sent; a tap fires open', async () => {
    components.provideOffline(offline)
    const bar = render('offline-bar', { hideWhenDone: true })
    emu.setOnline(false)
    await waitUntil(() => barText(bar) === '离线', 'offline')
    const opened: unknown[] = []
    bar.addEventListener?.('open', (event) => opened.push(event.detail))
    bar.querySelector('.offline-bar')?.dispatchEvent('tap')
    await waitUntil(() => opened.length === 1, 'open fired')
    expect(opened).toEqual([{}])
    emu.setOnline(true)
    await waitUntil(() => bar.querySelector('.offline-bar') === undefined, 'hidden when done')
  })

  test('an unknown network (online: null) shows nothing, not 离线', () => {
    const status: SyncStatus = { online: null, networkType: 'unknown', pending: 3, inFlight: 0, deadLetters: 0, syncing: false }
    expect(components.describeStatus(status, 0)).toEqual({ tone: 'hidden', text: '' })
    expect(components.describeStatus({ ...status, online: false }, 0)).toEqual({ tone: 'offline', text: '离线 · 3 条待发送' })
  })
})

describe('offlineStatusBehavior', () => {
  test('binds the status into data.sync, follows a newly provided client, and unsubscribes on detach', async () => {
    emu.setOnline(false)
    const page = render({ template: '<view class="count">{{sync.pending}}</view>', behaviors: [components.offlineStatusBehavior] })
    expect(page.data.sync).toBeNull()
    components.provideOffline(offline)
    await offline.request({ url: url('/visits'), method: 'POST', data: { n: 1 } })
    expect(page.data.sync).toMatchObject({ online: false, pending: 1 })
    expect(page.querySelector('.count')?.dom?.textContent).toBe('1')

    page.detach()
    rendered = []
    await offline.request({ url: url('/visits'), method: 'POST', data: { n: 2 } })
    expect(offline.status.get().pending).toBe(2)
    expect(page.data.sync).toMatchObject({ pending: 1 })
  })

  test('provideOffline refuses what is not a client, with a typed error', () => {
    expect(() => components.provideOffline({ status: {} } as unknown as OfflineClient)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(components.providedOffline()).toBeUndefined()
  })
})

describe('sync-center', () => {
  test('lists each item with its title, progress, last error and next attempt', async () => {
    server.respondWith((request) => (request.path === '/flaky' ? { status: 503, body: { error: '维护中' } } : undefined))
    components.provideOffline(offline)
    emu.setOnline(false)
    await offline.request({ url: url('/visits'), method: 'POST', data: { n: 1 }, metadata: { title: '拜访 王记超市' } })
    await offline.task({
      metadata: { title: '签收 SF1001' },
      steps: [{ request: { url: url('/photos'), method: 'POST', data: { p: 1 } } }, { request: { url: url('/flaky'), method: 'POST', data: { p: 2 } } }],
    })
    const center = render('sync-center')
    expect(center.data.items.map((row: { title: string }) => row.title)).toEqual(['拜访 王记超市', '签收 SF1001'])
    expect(center.querySelectorAll('.sync-center__title').map((node) => node.dom?.textContent)).toEqual(['拜访 王记超市', '签收 SF1001'])

    emu.setOnline(true)
    await waitUntil(() => center.data.items.length === 1 && center.data.items[0].error !== '', 'task waits after a 503')
    const [row] = center.data.items
    expect(row).toMatchObject({ title: '签收 SF1001', state: 'pending', progress: '1/2', percent: 50, error: '第 2 步 · HTTP 503 · 维护中' })
    expect(row.nextAttempt).toMatch(/^\d\d:\d\d:\d\d$/)
    expect(center.querySelector('.sync-center__error')?.dom?.textContent).toBe('上次失败：第 2 步 · HTTP 503 · 维护中')
    expect(center.querySelector('.sync-center__next')?.dom?.textContent).toBe(`下次尝试 ${row.nextAttempt}`)
    expect(center.querySelector('.sync-center__detail')?.dom?.textContent).toContain('进度 1/2')
  })

  test('shows why a dead letter died; retry sends it again and discard drops it', async () => {
    let refuse = true
    server.respondWith((request) => (request.path.startsWith('/bad') && refuse ? { status: 422, body: { message: '手机号格式不对' } } : undefined))
    components.provideOffline(offline)
    emu.setOnline(false)
    const first = await offline.request({ url: url('/bad/1'), method: 'POST', data: { n: 1 }, metadata: { title: '新客户 张三' } })
    const second = await offline.request({ url: url('/bad/2'), method: 'POST', data: { n: 2 } })
    const center = render('sync-center')
    emu.setOnline(true)
    await waitUntil(() => center.data.items.length === 2 && center.data.items.every((row: { state: string }) => row.state === 'deadLetter'), 'two dead letters')
    expect(center.data.items[0]).toMatchObject({ id: first.id, title: '新客户 张三', reason: 'HTTP 422 · 手机号格式不对', nextAttempt: '' })
    expect(center.data.items[1].title).toBe(`POST ${url('/bad/2')}`)
    expect(center.querySelector('.sync-center__reason')?.dom?.textContent).toBe('失败原因：HTTP 422 · 手机号格式不对')

    refuse = false
    await center.instance.retry({ currentTarget: { dataset: { id: first.id } } })
    await waitUntil(() => center.data.items.length === 1, 'retried item sent')
    expect(offline.pending().map((item) => item.id)).toEqual([second.id])
    expect(server.requests.filter((request) => request.path === '/bad/1')).toHaveLength(2)

    center.instance.discard({ currentTarget: { dataset: { id: second.id } } })
    expect(center.data.items).toEqual([])
    expect(center.querySelector('.sync-center__empty')?.dom?.textContent).toBe('没有待同步的数据')
    expect(offline.pending()).toEqual([])
  })

  test('detaching stops listening to the client', async () => {
    components.provideOffline(offline)
    emu.setOnline(false)
    const center = render('sync-center')
    center.detach()
    rendered = []
    await offline.request({ url: url('/visits'), method: 'POST', data: { n: 1 } })
    expect(center.data.items).toEqual([])
  })
})
