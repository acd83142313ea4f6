/** createOffline() with no platform finds `uni` when there is no `wx` (uni-app H5 and App). */
import { createOffline, type OfflineClient } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from '../support/test-server'

const globals = globalThis as { wx?: unknown; uni?: unknown }
let emu: WxEmulator
let server: TestServer
let offline: OfflineClient | undefined

beforeEach(async () => {
  emu = createWxEmulator({ uniTarget: 'h5' })
  server = await startTestServer()
})

afterEach(async () => {
  offline?.close()
  delete globals.uni
  await server.close()
  await emu.dispose()
})

test('finds the global uni and works through it', async () => {
  expect(globals.wx).toBeUndefined()
  globals.uni = emu.uni
  offline = createOffline({ namespace: 'uni-detect' })
  expect(offline.platform.name).toBe('uni')
  expect(offline.platform.capabilities.fileSystem).toBe(false)
  await offline.ready
  const result = await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 } })
  expect(result.status).toBe('sent')
  expect(server.applied.map((request) => request.body)).toEqual([{ n: 1 }])
  // The SDK's keys must stay clear of the prefixes uni-app reserves.
  expect(emu.storage.info().keys.filter((key) => /^(uni|dcloud)[-_]/.test(key))).toEqual([])
  expect(emu.storage.info().keys.length).toBeGreaterThan(0)
})
