import { FIXED_FINDINGS } from './findings'
import { checkInvariants, describeObservation } from './invariants'
import { describeDay } from './model'
import { useDayEnvironment } from './day-environment'

/** The days that found bugs now fixed (findings.ts): each must hold every invariant, so none comes back. */

const days = useDayEnvironment()


test.each(Object.entries(FIXED_FINDINGS))('%s: every invariant holds', async (_name, day) => {
  const observation = await days.run(day)
  const violations = checkInvariants(observation)
  if (violations.length > 0) throw new Error([describeDay(day), ...violations.map((violation) => `- ${violation}`), describeObservation(observation)].join('\n'))
  expect(days.unrouted).toEqual([])
})
