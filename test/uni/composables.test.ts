/**
 * useOfflineStatus() / usePending() in uni-app pages: the real
 * `@dcloudio/uni-app` hooks on uni-app's Vue 3 runtime, over a client on the
 * mp-weixin target (the emulator's `uni`). Plain `vue` is covered in
 * plain-vue.test.ts.
 */
import { useOfflineStatus, usePending } from 'miniprogram-offline/uni'
import { waitUntil } from '../support/offline-harness'
import { mountPage } from './page-harness'
import { createUniSetup, observe, type UniSetup } from './uni-setup'

// What a uni-app build does: `vue` is uni-app's Vue (see page-harness.ts).
jest.mock('vue', () => jest.requireActual('@dcloudio/uni-h5-vue'))

let s: UniSetup

beforeEach(async () => {
  s = await createUniSetup('mp-weixin')
})

afterEach(async () => {
  await s.dispose()
})

/** Lets queued microtasks and emulator callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

/** A page like the guide's: the status and the 待同步 list, as text. */
function mountSyncPage(offline: Parameters<typeof usePending>[0]) {
  return mountPage(
    () => ({ status: useOfflineStatus(offline), pending: usePending(offline) }),
    ({ status, pending }) => `${status.value.online ? '在线' : '离线'} 待同步 ${status.value.pending}: ${pending.value.map((item) => item.metadata?.title ?? item.url).join(', ')}`,
  )
}

test('the refs follow the network and the outbox, and the page re-renders', async () => {
  const page = mountSyncPage(s.offline)
  expect(await page.renderedText()).toBe('在线 待同步 0: ')

  s.emu.setOnline(false)
  await waitUntil(() => !page.state.status.value.online, 'the status ref shows offline')
  const first = await s.offline.request({ url: `${s.server.url}/visits`, method: 'POST', data: { n: 1 }, metadata: { title: '王记超市' } })
  const second = await s.offline.request({ url: `${s.server.url}/visits`, method: 'POST', data: { n: 2 }, metadata: { title: '李记面馆' } })
  expect([first.status, second.status]).toEqual(['queued', 'queued'])
  await waitUntil(() => page.state.pending.value.length === 2, 'the list shows both')
  expect(page.state.status.value).toMatchObject({ online: false, networkType: 'none', pending: 2, deadLetters: 0 })
  expect(page.state.pending.value.map((item) => [item.id, item.state, item.method])).toEqual([
    [first.id, 'pending', 'POST'],
    [second.id, 'pending', 'POST'],
  ])
  expect(await page.renderedText()).toBe('离线 待同步 2: 王记超市, 李记面馆')

  s.emu.setOnline(true)
  await waitUntil(() => page.state.pending.value.length === 0 && page.state.status.value.pending === 0 && !page.state.status.value.syncing, 'drained')
  expect(s.server.applied.map((request) => request.body)).toEqual([{ n: 1 }, { n: 2 }])
  expect(page.state.status.value).toMatchObject({ online: true, inFlight: 0 })
  expect(await page.renderedText()).toBe('在线 待同步 0: ')
  page.unload()
})

test('a hidden page holds no listener and reads nothing; on show it is current at once', async () => {
  const watched = observe(s.offline)
  const page = mountSyncPage(watched.client)
  // status for each composable, plus `progress` and `superseded` for the list; the first onShow adds none.
  expect(watched.openListeners()).toBe(4)
  await settle()
  const readsWhileShown = watched.pendingReads()
  // A change no item shows (the network) does not read the list again.
  s.emu.setNetworkType('4g')
  await waitUntil(() => page.state.status.value.networkType === '4g', 'the status ref shows 4g')
  await settle()
  expect(watched.pendingReads()).toBe(readsWhileShown)

  s.emu.hide()
  page.hide()
  expect(watched.openListeners()).toBe(0)
  s.emu.setOnline(false)
  expect((await s.offline.request({ url: `${s.server.url}/visits`, method: 'POST', data: { n: 1 } })).status).toBe('queued')
  await settle()
  expect(page.state.status.value).toMatchObject({ online: true, pending: 0 })
  expect(page.state.pending.value).toEqual([])
  expect(watched.pendingReads()).toBe(readsWhileShown)

  s.emu.show()
  page.show()
  expect(page.state.status.value).toMatchObject({ online: false, pending: 1 })
  expect(page.state.pending.value).toHaveLength(1)
  expect(watched.openListeners()).toBe(4)

  page.unload({ keepMounted: true })
  expect(watched.openListeners()).toBe(0)
  s.emu.setOnline(true)
  await settle()
  expect(page.state.status.value.online).toBe(false)
})

test('changes in one tick read the list once', async () => {
  s.emu.setOnline(false)
  const ids: string[] = []
  for (const n of [1, 2, 3]) ids.push((await s.offline.request({ url: `${s.server.url}/visits`, method: 'POST', data: { n } })).id)
  const watched = observe(s.offline)
  const page = mountSyncPage(watched.client)
  await settle()
  expect(page.state.pending.value).toHaveLength(3)
  const before = watched.pendingReads()
  for (const id of ids) s.offline.discard(id)
  await waitUntil(() => page.state.pending.value.length === 0, 'the list is empty')
  expect(watched.pendingReads() - before).toBe(1)
  page.unload()
})

test('dead letters appear in the list; discard and retry go through the client', async () => {
  s.server.respondWith((request) => (request.path === '/refused' ? { status: 422, body: { error: 'bad' } } : undefined))
  const page = mountSyncPage(s.offline)
  s.emu.setOnline(false)
  const dropped = await s.offline.request({ url: `${s.server.url}/refused`, method: 'POST', data: { n: 1 }, metadata: { title: '坏数据' } })
  const kept = await s.offline.request({ url: `${s.server.url}/refused`, method: 'POST', data: { n: 2 } })

  s.emu.setOnline(true)
  await waitUntil(() => page.state.status.value.deadLetters === 2 && page.state.pending.value.every((item) => item.state === 'deadLetter'), 'both dead-lettered')
  expect(page.state.pending.value.map((item) => [item.id, item.lastError?.statusCode])).toEqual([
    [dropped.id, 422],
    [kept.id, 422],
  ])

  s.offline.discard(dropped.id)
  await waitUntil(() => page.state.pending.value.length === 1, 'the discarded item leaves the list')
  s.server.respondWith(undefined)
  await s.offline.retry(kept.id)
  await waitUntil(() => page.state.pending.value.length === 0 && page.state.status.value.deadLetters === 0, 'the retried item is sent')
  // Refused once each, then only the retried one again; the discarded one never comes back.
  expect(s.server.requests.filter((request) => request.path === '/refused').map((request) => request.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 2 }])
  page.unload()
})

test('the list follows changes no count shows: a superseded entry and a task step done', async () => {
  const page = mountSyncPage(s.offline)
  s.emu.setOnline(false)
  await s.offline.request({ url: `${s.server.url}/visits/12`, method: 'PUT', data: { state: 'started' }, dedupeKey: 'visit-12' })
  const newer = await s.offline.request({ url: `${s.server.url}/visits/12`, method: 'PUT', data: { state: 'done' }, dedupeKey: 'visit-12' })
  await waitUntil(() => page.state.pending.value[0]?.id === newer.id, 'the newer entry replaces the older one in the list')
  s.offline.clear()

  s.emu.setOnline(true)
  s.server.respondWith((request) => (request.path === '/step2' ? { delayMs: 300, body: { ok: true } } : undefined))
  const task = s.offline.task({
    steps: [{ request: { url: `${s.server.url}/step1`, method: 'POST', data: {} } }, { request: { url: `${s.server.url}/step2`, method: 'POST', data: {} } }],
  })
  await waitUntil(() => page.state.pending.value[0]?.progress.done === 1, 'the list shows step 1 of 2 done')
  expect(page.state.pending.value[0]).toMatchObject({ sending: true, progress: { done: 1, total: 2 } })
  expect((await task).status).toBe('sent')
  await waitUntil(() => page.state.pending.value.length === 0, 'the task leaves the list')
  page.unload()
})

test('in a child component the hooks follow the page, and a removed child stops for good', async () => {
  const watched = observe(s.offline)
  const page = mountPage(() => useOfflineStatus(watched.client), (status) => (status.value.online ? '在线' : '离线'), { inChild: true })
  // uni's Vue runs a child's onShow at once (the page is already shown): still one listener.
  expect(watched.openListeners()).toBe(1)
  s.emu.setOnline(false)
  await waitUntil(() => !page.state.value.online, 'the child follows the network')
  expect(await page.renderedText()).toBe('离线')

  page.hide()
  expect(watched.openListeners()).toBe(0)
  page.show()
  expect(watched.openListeners()).toBe(1)

  await page.removeChild()
  expect(watched.openListeners()).toBe(0)
  // The child's onShow stays in the page's hook list; it must not come back to life.
  page.hide()
  page.show()
  expect(watched.openListeners()).toBe(0)
  page.unload()
})
