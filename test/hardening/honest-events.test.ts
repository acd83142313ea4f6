/**
 * Issue 10, item 10: the events a UI builds on mean what they say. `drained`
 * ("您刚刚提交的数据已成功上传") fires only once entries that were waiting
 * have been sent; `online` is `null` until the network state is known; a
 * status listener never hears the same status twice in a row.
 */
import type { SyncStatus } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

/** Field by field: the same status whatever order its keys were built in. */
function identical(a: SyncStatus, b: SyncStatus): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof SyncStatus>
  return [...keys].every((key) => Object.is(a[key], b[key]))
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100))

test('drained: not at startup with an empty outbox; once, after a waiting backlog has been delivered', async () => {
  const offline = h.client()
  const appliedWhenDrained: number[] = []
  offline.on('drained', () => appliedWhenDrained.push(h.server.applied.length))
  await offline.ready
  await offline.flush()
  await settle()
  expect(appliedWhenDrained).toEqual([])

  h.emu.setOnline(false)
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 0 } })
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 1 } })
  h.emu.setOnline(true)
  await waitUntil(() => appliedWhenDrained.length > 0, 'drained fires after the backlog')
  await offline.flush()
  await settle()
  expect(appliedWhenDrained).toEqual([2])
})

test('drained: not after a live request that went straight through', async () => {
  const offline = h.client()
  await offline.ready
  let drained = 0
  offline.on('drained', () => drained++)
  const result = await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 0 } })
  expect(result.status).toBe('sent')
  await offline.flush()
  await settle()
  expect(drained).toBe(0)
})

test('online is null until the network state is known, then true (or false when offline)', async () => {
  const online = h.client()
  const first: Array<SyncStatus['online']> = []
  online.status.subscribe((status) => first.push(status.online))
  expect(online.status.get().online).toBeNull()
  expect(first[0]).toBeNull()
  await online.ready
  expect(online.status.get().online).toBe(true)
  online.close()

  h.emu.setOnline(false)
  const offline = h.client({ namespace: 'other' })
  expect(offline.status.get().online).toBeNull()
  await offline.ready
  expect(offline.status.get().online).toBe(false)
})

test('status.subscribe never calls a listener twice in a row with an identical status', async () => {
  const offline = h.client()
  const seen: SyncStatus[] = []
  offline.status.subscribe((status) => seen.push(status))
  await offline.ready
  h.server.setLatency(5)

  h.emu.setOnline(false)
  for (let n = 0; n < 3; n++) await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n } })
  h.emu.setOnline(true)
  await waitUntil(() => offline.status.get().pending === 0 && !offline.status.get().syncing, 'the backlog is delivered')
  await offline.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n: 3 } })
  await offline.flush()
  await settle()

  expect(h.server.applied).toHaveLength(4)
  const repeats = seen.slice(1).filter((status, index) => identical(status, seen[index]))
  expect(repeats).toEqual([])
})
