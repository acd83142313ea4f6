import { startTestServer, type TestServer } from '../support/test-server'
import { runFieldDay } from './field-day-runner'
import { FIXED_FINDINGS } from './findings'
import { checkInvariants, describeObservation } from './invariants'
import { describeDay } from './model'
import { RejectionWatch } from './rejection-watch'

/** The days that found bugs now fixed (findings.ts): each must hold every invariant, so none comes back. */

let server: TestServer
const watch = new RejectionWatch()

beforeAll(async () => {
  server = await startTestServer()
  watch.install()
})

afterAll(async () => {
  watch.uninstall()
  await server.close()
})

test.each(Object.entries(FIXED_FINDINGS))('%s: every invariant holds', async (_name, day) => {
  const observation = await runFieldDay(day, server, watch.route)
  const violations = checkInvariants(observation)
  if (violations.length > 0) throw new Error([describeDay(day), ...violations.map((violation) => `- ${violation}`), describeObservation(observation)].join('\n'))
  expect(watch.unrouted).toEqual([])
})
