/**
 * Issue 10, item 5: construction is all-or-nothing. A `createOffline` that
 * throws (a bad `reads` option, garbage in the read cache's metadata, a
 * storage exception) leaves nothing running, so a stored backlog is not
 * replayed by it, and nothing locked, so the next `createOffline` for the
 * namespace works and replays the backlog once.
 */
import { InvalidArgumentError, OfflineError } from 'miniprogram-offline'
import { createHarness, waitUntil, type OfflineHarness } from '../support/offline-harness'

let h: OfflineHarness
beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.dispose())

/** The read cache's format record (see sdk/store/README.md): `mpo/<namespace>~cache/meta`. */
const CACHE_META_KEY = 'mpo/test~cache/meta'

/** Two visits stored by an earlier run, while offline; the phone is back online when this returns. */
async function storedBacklog(): Promise<string[]> {
  h.emu.setOnline(false)
  const earlier = h.client()
  await earlier.ready
  const ids: string[] = []
  for (let n = 0; n < 2; n++) {
    ids.push((await earlier.request({ url: `${h.server.url}/visits`, method: 'POST', data: { n } })).id)
  }
  h.restart()
  h.emu.setOnline(true)
  return ids
}

/** Real time, and a fired backoff, for anything the failed construction left running to reach the server. */
async function nothingReplays(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300))
  h.emu.clock.advance(10 * 60_000)
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(h.server.requests.map((request) => `${request.method} ${request.path} ${request.idempotencyKey}`)).toEqual([])
}

/** A valid client for the same namespace opens (no `InUseError`) and replays the backlog exactly once. */
async function nextClientReplaysOnce(ids: string[]): Promise<void> {
  const offline = h.client()
  await offline.ready
  await waitUntil(() => offline.status.get().pending === 0, 'the backlog is replayed')
  await offline.flush()
  expect(h.server.requests.map((request) => request.idempotencyKey)).toEqual(ids)
  expect(h.server.duplicates).toBe(0)
}

/** One way construction can fail: arranges it, builds the client, checks what was thrown; `after` undoes the cause. */
interface FailedStart {
  name: string
  arrange(): void
  expectThrown(build: () => unknown): void
  after(): void
}

const failedStarts: FailedStart[] = [
  {
    name: 'an invalid reads option',
    arrange: () => undefined,
    expectThrown: () => expect(() => h.client({ reads: { maxBytes: -1 } })).toThrow(InvalidArgumentError),
    after: () => undefined,
  },
  {
    name: 'garbage in the read cache\'s metadata',
    arrange: () => h.emu.wx.setStorageSync(CACHE_META_KEY, 'garbage'),
    expectThrown: (build) => {
      let thrown: unknown
      try {
        build()
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(OfflineError)
    },
    // The app (or support) removes the garbage; the next start must not find the namespace taken.
    after: () => h.emu.wx.removeStorageSync(CACHE_META_KEY),
  },
  {
    name: 'a storage exception',
    arrange: () => {
      // Without its format record the read cache writes one when it opens: that write fails.
      // (A full device is not such a failure: the store then opens without its record.)
      h.emu.wx.removeStorageSync(CACHE_META_KEY)
      h.emu.faults.throwAtWrite(1, 'setStorageSync:fail internal error')
    },
    expectThrown: (build) => expect(build).toThrow(),
    after: () => undefined,
  },
]

describe.each(failedStarts)('a createOffline that fails on $name', (start) => {
  test('throws and leaves nothing running: the stored backlog is not replayed', async () => {
    await storedBacklog()
    start.arrange()
    start.expectThrown(() => h.client())
    await nothingReplays()
  })

  test('leaves nothing locked: the next createOffline for the namespace opens and replays the backlog once', async () => {
    const ids = await storedBacklog()
    start.arrange()
    try {
      h.client()
    } catch {
      // What it throws is the other test's business.
    }
    start.after()
    await nextClientReplaysOnce(ids)
  })
})
