/** The conformance kit's batch check: it passes a correct endpoint and catches each broken rule. */
import { checkBatch } from 'miniprogram-offline/server'
import { startBrokenBackend, type Breakage, type BrokenBackend } from './support/broken-batch-servers'

let backend: BrokenBackend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

async function check(breakage: Breakage): Promise<Record<string, string>> {
  backend = await startBrokenBackend(breakage)
  const results = await checkBatch({
    url: backend.batchUrl,
    path: '/visits',
    body: '{"customer":"c1"}',
    headers: { authorization: 'Bearer token-alice' },
    authHeaders: ['authorization'],
    countUrl: backend.countUrl,
  })
  return Object.fromEntries(results.map((r) => [r.name, `${r.status}: ${r.detail}`]))
}

const ORDER = 'batch: one result per entry, in request order'
const LANE = 'batch: a lane stops at its first non-2xx; other lanes go on'
const REPLAY = 'batch: the same batch again gets the same answers, no second effect'
const AUTH = "batch: the batch's auth applies to every entry"
const MALFORMED = 'batch: a malformed batch is 400'
const LIMIT = 'batch: more than 50 entries is 413'

it("passes the SDK's own endpoint on every check", async () => {
  const verdicts = await check('none')
  expect(Object.keys(verdicts)).toEqual([ORDER, LANE, REPLAY, 'batch: replays are marked (Idempotent-Replayed: true)', AUTH, MALFORMED, LIMIT])
  for (const verdict of Object.values(verdicts)) expect(verdict).toMatch(/^pass: /)
  expect(verdicts[REPLAY]).toContain('0 effect(s), expected 0')
})

it.each<[Breakage, string, RegExp]>([
  ['no-endpoint', ORDER, /^fail: the batch URL answered 404: no batch endpoint/],
  ['reversed-results', ORDER, /^fail: result 0 has key .*request's order/],
  ['no-lane-stop', LANE, /^fail: .*the entry after a non-2xx in its lane ran/],
  ['no-idempotency', REPLAY, /^fail: entry 0: .*it ran again/],
  ['ignores-auth', AUTH, /^fail: without authorization the batch got 201 201/],
  ['no-limits', MALFORMED, /^fail: entries not a list: 500/],
  ['no-limits', LIMIT, /^fail: 51 entries: 200/],
])('fails a backend with %s on "%s"', async (breakage, name, expected) => {
  const verdicts = await check(breakage)
  expect(verdicts[name]).toMatch(expected)
})
