/**
 * The uni-app guide's example, run as written: `src/offline.ts` and the
 * visits page are taken out of docs/uni-app.md, the page is compiled with
 * Vue's SFC compiler (as uni-app's build does), and both run against the
 * emulator's `uni` (H5: no `wx`, so `createOffline()` must find `uni`).
 */
import { readFileSync } from 'fs'
import { join } from 'path'
import * as ts from 'typescript'
import { compileScript, parse } from 'vue/compiler-sfc'
import type { OfflineClient } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { waitUntil } from '../support/offline-harness'
import { startTestServer, type TestServer } from '../support/test-server'
import { openPage, type PageComponent } from './page-harness'

// What a uni-app build does: `vue` is uni-app's Vue (see page-harness.ts).
jest.mock('vue', () => jest.requireActual('@dcloudio/uni-h5-vue'))

const GUIDE = readFileSync(join(__dirname, '../../docs/uni-app.md'), 'utf8')
const EXAMPLE_API = 'https://api.example.com'

/** The guide's code block that starts with `firstLine`; the Chinese and English copies must be the same. */
function guideBlock(firstLine: string): string {
  const blocks = [...GUIDE.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1]).filter((block) => block.startsWith(`${firstLine}\n`))
  expect(blocks).toHaveLength(2)
  expect(blocks[1]).toBe(blocks[0])
  return blocks[0]
}

/** Runs an ES module (TypeScript allowed) as CommonJS, resolving its imports through `modules`. */
function runModule(source: string, modules: Record<string, unknown>): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2019, esModuleInterop: true } })
  const load = (name: string): unknown => {
    if (!(name in modules)) throw new Error(`the guide imports ${name}, which this test does not provide`)
    return modules[name]
  }
  const module = { exports: {} as Record<string, unknown> }
  new Function('require', 'module', 'exports', outputText)(load, module, module.exports)
  return module.exports
}

const globals = globalThis as { wx?: unknown; uni?: unknown }
let emu: WxEmulator
let server: TestServer
let offline: OfflineClient | undefined
const showToast = jest.fn()

beforeEach(async () => {
  emu = createWxEmulator({ uniTarget: 'h5' })
  server = await startTestServer()
  globals.uni = { ...emu.uni, showToast }
})

afterEach(async () => {
  offline?.close()
  delete globals.uni
  showToast.mockReset()
  await server.close()
  await emu.dispose()
})

test('the guide page saves offline, shows the bar and the list, syncs, and retries and discards', async () => {
  const offlineSource = guideBlock('// src/offline.ts')
  expect(offlineSource).toContain(`'${EXAMPLE_API}'`)
  const offlineModule = runModule(offlineSource.replace(EXAMPLE_API, server.url), { 'miniprogram-offline': jest.requireActual('../../sdk') })
  offline = offlineModule.offline as OfflineClient
  expect(offline.platform.name).toBe('uni')
  await offline.ready
  await waitUntil(() => offline?.status.get().syncing === false, 'the start-up replay is over')

  const { descriptor, errors } = parse(guideBlock('<!-- src/pages/visits/visits.vue -->'), { filename: 'visits.vue' })
  expect(errors).toEqual([])
  const compiled = compileScript(descriptor, { id: 'visits', inlineTemplate: true })
  const pageModule = runModule(compiled.content, {
    vue: jest.requireMock('vue'),
    'miniprogram-offline/uni': jest.requireActual('../../sdk/uni'),
    '@/offline': offlineModule,
  })
  const page = openPage(pageModule.default as PageComponent)
  const text = () => page.renderedText()
  expect(await text()).toBe('保存拜访')

  // Offline: the bar, then a save that is kept and listed.
  emu.uni.setStorageSync('token', 't-42')
  emu.setOnline(false)
  await waitUntil(() => offline?.status.get().online === false, 'offline')
  expect(await text()).toBe('离线中，0 条待同步保存拜访')
  await page.tap('保存拜访')
  expect(showToast).toHaveBeenCalledWith({ title: '当前处于离线状态，数据将暂存在本地', icon: 'none' })
  expect(await text()).toBe('离线中，1 条待同步保存拜访王记超市丢弃')

  // Online: the server refuses it for good, so it stays as a dead letter with 重试.
  server.respondWith((request) => (request.path === '/visits' ? { status: 422, body: { error: 'customer closed' } } : undefined))
  emu.setOnline(true)
  await waitUntil(() => offline?.status.get().deadLetters === 1, 'dead-lettered')
  expect(await text()).toBe('保存拜访王记超市（被拒绝：HTTP 422）重试丢弃')

  // 重试 sends it again (the server accepts it now) and the list empties.
  server.respondWith(undefined)
  await page.tap('重试')
  await waitUntil(() => offline?.status.get().deadLetters === 0 && offline.status.get().pending === 0, 'sent')
  expect(await text()).toBe('保存拜访')
  const sent = server.requests.filter((request) => request.path === '/visits')
  expect(sent.map((request) => [request.body, request.headers.authorization])).toEqual([
    [{ customer: '王记超市' }, 'Bearer t-42'],
    [{ customer: '王记超市' }, 'Bearer t-42'],
  ])

  // 丢弃 drops a kept save unsent.
  emu.setOnline(false)
  await waitUntil(() => offline?.status.get().online === false, 'offline again')
  await page.tap('保存拜访')
  expect(await text()).toBe('离线中，1 条待同步保存拜访王记超市丢弃')
  await page.tap('丢弃')
  expect(await text()).toBe('离线中，0 条待同步保存拜访')
  expect(offline.pending()).toEqual([])
  page.unload()
})
