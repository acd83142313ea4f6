import { crashPaths, type CrashPath } from './crash-paths'
import type { Observation } from './observation'
import { checkInvariants, describeObservation } from './invariants'
import { describeDay, printable, type FieldDay } from './model'
import { useDayEnvironment } from './day-environment'

/**
 * Crash-point enumeration: for each write path (crash-paths.ts), kill the app
 * at every storage and file write of the path in turn, cold-start it, drain,
 * and check the same invariants as the chaos suite. Prints one count per
 * path and the total.
 */

const paths = crashPaths()
const covered = new Map<string, number>()
const days = useDayEnvironment()

afterAll(() => {
  const counts = paths.map((path) => `${path.name} ${covered.get(path.name) ?? 'FAILED'}`)
  const total = [...covered.values()].reduce((sum, count) => sum + count, 0)
  console.log(`crash points covered: ${counts.join(', ')}, total ${total}`)
})

function dayOf(path: CrashPath, killAt?: number): FieldDay {
  const kill = killAt === undefined ? [] : [{ kind: 'killAtWrite' as const, nth: killAt }]
  return printable({ options: path.options, ops: [...path.setup, ...kill, ...path.act] })
}

function failureText(day: FieldDay, observation: Observation, violations: string[]): string {
  return [describeDay(day), ...violations.map((violation) => `- ${violation}`), describeObservation(observation)].join('\n')
}

test.each(paths.map((path) => [path.name, path] as const))('crash at every write of %s: the invariants hold after a restart', async (_name, path) => {
  const actStart = path.setup.length
  const baselineDay = dayOf(path)
  const baseline = await days.run(baselineDay)
  const baselineViolations = checkInvariants(baseline)
  if (baselineViolations.length > 0) throw new Error(`without a crash:\n${failureText(baselineDay, baseline, baselineViolations)}`)
  const act = baseline.trace.filter((op) => op.index >= actStart)
  expect(act.some((op) => op.killed)).toBe(false)
  const writes = act[act.length - 1].writesAfter - act[0].writesBefore
  expect(writes).toBeGreaterThan(0)

  for (let k = 1; k <= writes; k++) {
    const day = dayOf(path, k)
    const observation = await days.run(day)
    const violations = checkInvariants(observation)
    // The kill must land inside the path (the killAtWrite operation sits at index actStart).
    const killedInPath = observation.trace.some((op) => op.index > actStart && op.killed)
    if (!killedInPath || violations.length > 0) {
      const why = killedInPath ? '' : `the app was not killed at write ${k} of ${writes}\n`
      throw new Error(`crash at write ${k} of ${writes}:\n${why}${failureText(day, observation, violations)}`)
    }
  }
  // Rejections between days would belong to no day: there must be none.
  expect(days.unrouted).toEqual([])
  covered.set(path.name, writes)
})
