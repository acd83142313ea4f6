/**
 * The composables on the `vue` package itself (3.5), where no uni-app page
 * exists: inside an `effectScope` (a Pinia store, say) and misused outside
 * any setup.
 */
import { effectScope, isReadonly, isRef } from 'vue'
import { useOfflineStatus, usePending } from 'miniprogram-offline/uni'
import { waitUntil } from '../support/offline-harness'
import { createUniSetup, observe, type UniSetup } from './uni-setup'

let s: UniSetup

beforeEach(async () => {
  s = await createUniSetup('mp-weixin')
})

afterEach(async () => {
  await s.dispose()
})

test('inside an effectScope the refs follow the client as long as the scope lives', async () => {
  const watched = observe(s.offline)
  const scope = effectScope()
  const refs = scope.run(() => ({ status: useOfflineStatus(watched.client), pending: usePending(watched.client) }))
  if (!refs) throw new Error('the scope did not run')
  expect(watched.openListeners()).toBe(4)

  s.emu.setOnline(false)
  await waitUntil(() => !refs.status.value.online, 'the status ref shows offline')
  const queued = await s.offline.request({ url: `${s.server.url}/visits`, method: 'POST', data: { n: 1 } })
  await waitUntil(() => refs.pending.value.length === 1, 'the list shows the queued entry')
  expect(refs.pending.value[0]).toMatchObject({ id: queued.id, state: 'pending' })
  expect(refs.status.value.pending).toBe(1)

  scope.stop()
  expect(watched.openListeners()).toBe(0)
})

test('outside setup() and any scope it fails clearly and listens to nothing', () => {
  const watched = observe(s.offline)
  expect(() => useOfflineStatus(watched.client)).toThrow(
    expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'useOfflineStatus() must be called inside setup() or an effectScope' }),
  )
  expect(() => usePending(watched.client)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('usePending()') }))
  expect(watched.openListeners()).toBe(0)
})

test('the refs are read-only refs', () => {
  const scope = effectScope()
  const status = scope.run(() => useOfflineStatus(s.offline))
  if (!status) throw new Error('the scope did not run')
  expect(isRef(status)).toBe(true)
  expect(isReadonly(status)).toBe(true)
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
  ;(status as { value: unknown }).value = { online: false }
  expect(status.value.online).toBe(true)
  expect(warn).toHaveBeenCalled()
  warn.mockRestore()
  scope.stop()
})
