import fc from 'fast-check'
import { chaosSettings } from './chaos-settings'
import { ChaosStats } from './chaos-stats'
import { checkInvariants, describeObservation } from './invariants'
import { fieldDayArbitrary } from './field-day-arbitrary'
import { useDayEnvironment } from './day-environment'

/**
 * The chaos suite: fast-check generates field days (user actions, network
 * flaps, hide/show, kills at random writes, server failures, dropped
 * connections, clock jumps past backoffs and retention, and the shapes real
 * apps take: pages opening and closing clients, logout with a user switch,
 * kills on the wire, wrong clocks, a host app wiping or filling storage,
 * throwing listeners and providers; see README.md); each is played
 * through the real SDK on the emulator against the loopback server, and the
 * invariants (invariants.ts) are checked after every day. A failure prints
 * the seed, fast-check's path and the shrunk day as a numbered script.
 */

const settings = chaosSettings()
/**
 * Real time for playing and shrinking: a day takes about 0.3 s. CI's set stops
 * after 4 minutes whatever happens (a failure found by then is still reported,
 * shrunk as far as it got); bigger runs get a second a day.
 */
const TIME_LIMIT_MS = settings.isCiSet ? 4 * 60_000 : Math.max(8 * 60_000, settings.runs * 1000)
const excludedBugs = Object.entries(settings.excluded)
  .filter(([, excluded]) => excluded)
  .map(([name]) => name)

const environment = useDayEnvironment()
const stats = new ChaosStats()


const title = settings.day
  ? `field day ${settings.day.name}`
  : `field days: ${settings.runs} from seed ${settings.seed}${settings.path ? ` (path ${settings.path})` : ''}` +
    `${excludedBugs.length > 0 ? `, without troubles of known SDK bugs (${excludedBugs.join(', ')})` : ''}`

test(
  title,
  async () => {
    const started = Date.now()
    const days = settings.day ? fc.constant(settings.day.day) : fieldDayArbitrary(settings.excluded)
    const property = fc.asyncProperty(days, async (day) => {
      const observation = await environment.run(day)
      stats.add(observation)
      const violations = checkInvariants(observation)
      if (violations.length > 0) {
        throw new Error(`${violations.map((violation) => `- ${violation}`).join('\n')}\n${describeObservation(observation)}`)
      }
    })
    const details = await fc.check(property, {
      seed: settings.seed,
      numRuns: settings.day ? 1 : settings.runs,
      path: settings.path,
      endOnFailure: settings.path !== undefined,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      markInterruptAsFailure: true,
      includeErrorInReport: true,
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(
      `chaos: seed ${settings.seed}, ${stats.summary()}, in ${seconds} s${details.interrupted ? ' (interrupted: time limit)' : ''}\n` +
        `real-app shapes: ${stats.shapesSummary()}`,
    )
    if (details.failed) {
      const replay = details.counterexamplePath
        ? `\nReplay just this day: ${process.env.CHAOS_KNOWN_BUGS ? `CHAOS_KNOWN_BUGS=${process.env.CHAOS_KNOWN_BUGS} ` : ''}` +
          `CHAOS_SEED=${details.seed} CHAOS_PATH=${details.counterexamplePath} npx jest test/chaos/field-days`
        : ''
      throw new Error(`${fc.defaultReportMessage(details) ?? 'the chaos property failed'}${replay}`)
    }
    expect(environment.unrouted).toEqual([])
    if (settings.isCiSet) {
      // CI's fixed days must have met every kind of trouble, or the invariants proved little.
      for (const [what, count] of Object.entries(stats.coverage())) expect([what, count > 0]).toEqual([what, true])
    }
  },
  TIME_LIMIT_MS + 60_000,
)
