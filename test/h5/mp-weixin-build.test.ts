/**
 * The same fixture built with `uni build -p mp-weixin` (no manifest changes)
 * starts the SDK: its compiled `offline.js` and `common/vendor.js` run in
 * Node over the emulator's `wx`, with the mini-program globals a page needs
 * (`Page`, `Component`, `App`, `getApp`) stubbed, and a visit reaches a
 * loopback server.
 */
import { join } from 'path'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from '../support/test-server'
import { buildUniApp } from './built-app'

interface BuiltOffline {
  offline: {
    platform: { name: string; capabilities: Record<string, boolean> }
    ready: Promise<void>
    request(options: { url: string; method: 'POST'; data: unknown }): Promise<{ status: string }>
    close(): void
  }
}

const MINI_PROGRAM_GLOBALS = ['wx', 'Page', 'Component', 'App', 'Behavior', 'getApp', 'getCurrentPages'] as const

let emu: WxEmulator
let server: TestServer

beforeAll(() => {
  // Builds (or reuses) both targets; the browser tests use the H5 one.
  buildUniApp()
}, 600_000)

beforeEach(async () => {
  emu = createWxEmulator()
  server = await startTestServer()
  Object.assign(globalThis, {
    wx: emu.wx,
    Page: () => undefined,
    Component: () => undefined,
    App: () => undefined,
    Behavior: (definition: unknown) => definition,
    getApp: () => ({ globalData: {} }),
    getCurrentPages: () => [],
  })
})

afterEach(async () => {
  for (const name of MINI_PROGRAM_GLOBALS) delete (globalThis as Record<string, unknown>)[name]
  await server.close()
  await emu.dispose()
})

test('the mp-weixin build finds wx, and a visit is sent through it', async () => {
  const { offline } = require(join(buildUniApp().mpWeixinDir, 'offline.js')) as BuiltOffline
  expect(offline.platform.name).toBe('wx')
  expect(offline.platform.capabilities).toMatchObject({ fileSystem: true, secureRandom: true })
  await offline.ready
  const result = await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { label: 'mp-weixin' } })
  expect(result.status).toBe('sent')
  expect(server.applied.map((request) => request.body)).toEqual([{ label: 'mp-weixin' }])
  offline.close()
}, 60_000)
