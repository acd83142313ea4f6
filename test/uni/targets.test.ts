/**
 * uni-app targets: mp-weixin has everything; on H5 and App the outbox works,
 * file features fail with UNSUPPORTED, and with no app show/hide events the
 * SDK treats the app as always visible.
 */
import { useOfflineStatus } from 'miniprogram-offline/uni'
import { waitUntil } from '../support/offline-harness'
import { mountPage } from './page-harness'
import { createUniSetup, type UniSetup } from './uni-setup'

// What a uni-app build does: `vue` is uni-app's Vue (see page-harness.ts).
jest.mock('vue', () => jest.requireActual('@dcloudio/uni-h5-vue'))

let s: UniSetup | undefined

afterEach(async () => {
  await s?.dispose()
  s = undefined
})

test('mp-weixin: files work in full, and a hidden app waits to send', async () => {
  s = await createUniSetup('mp-weixin')
  const { emu, server, offline } = s
  expect(offline.platform.capabilities).toMatchObject({ fileSystem: true, appLifecycle: true, compressImage: true })
  const photo = emu.createTempFile(new Uint8Array([1, 2, 3]), 'jpg')
  const uploaded = await offline.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'photo' })
  expect(uploaded.status).toBe('sent')
  expect(server.applied[0].multipart?.files.map((file) => [file.field, [...file.bytes]])).toEqual([['photo', [1, 2, 3]]])

  emu.hide()
  expect((await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 } })).status).toBe('queued')
  emu.show()
  await waitUntil(() => offline.status.get().pending === 0, 'sent on show')
})

describe.each(['h5', 'app'] as const)('%s', (target) => {
  beforeEach(async () => {
    s = await createUniSetup(target)
  })

  test('requests queue offline and replay online, in order', async () => {
    const { emu, server, offline } = s as UniSetup
    emu.setOnline(false)
    const results = [
      await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 } }),
      await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 2 } }),
    ]
    expect(results.map((result) => result.status)).toEqual(['queued', 'queued'])
    expect(offline.pending()).toHaveLength(2)
    emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'replayed')
    expect(server.applied.map((request) => request.body)).toEqual([{ n: 1 }, { n: 2 }])
    expect(new Set(server.applied.map((request) => request.idempotencyKey)).size).toBe(2)
  })

  test('file features fail with UNSUPPORTED and store nothing', async () => {
    const { emu, server, offline } = s as UniSetup
    expect(offline.platform.capabilities).toMatchObject({ fileSystem: false, appLifecycle: false, compressImage: false })
    const photo = emu.createTempFile(new Uint8Array([1, 2, 3]), 'jpg')
    const unsupported = expect.objectContaining({ code: 'UNSUPPORTED', capability: expect.any(String) })
    await expect(offline.uploadFile({ url: `${server.url}/upload`, filePath: photo, name: 'photo' })).rejects.toEqual(unsupported)
    await expect(
      offline.task({ steps: [{ upload: { url: `${server.url}/upload`, filePath: photo, name: 'photo' } }, { request: { url: `${server.url}/done`, method: 'POST' } }] }),
    ).rejects.toEqual(unsupported)
    expect(offline.pending()).toEqual([])
    expect(server.requests).toHaveLength(0)
  })

  test('with no app show/hide events the app counts as always visible', async () => {
    const { emu, server, offline } = s as UniSetup
    emu.hide() // the page may be hidden, but the SDK is never told
    expect((await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 } })).status).toBe('sent')
  })

  test('a page follows the status through its own onShow/onHide', async () => {
    const { emu, offline } = s as UniSetup
    const page = mountPage(() => useOfflineStatus(offline), (status) => (status.value.online ? '在线' : '离线'))
    emu.setOnline(false)
    await waitUntil(() => !page.state.value.online, 'the ref shows offline')
    page.hide()
    emu.setOnline(true)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(page.state.value.online).toBe(false)
    page.show()
    expect(page.state.value.online).toBe(true)
    expect(await page.renderedText()).toBe('在线')
    page.unload()
  })
})
