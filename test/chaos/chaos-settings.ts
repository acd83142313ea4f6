import { KNOWN_BUG_EXCLUSIONS, NO_EXCLUSIONS, type Exclusions } from './field-day-arbitrary'
import { FIXED_FINDINGS, OPEN_FINDINGS } from './findings'
import { printable, type FieldDay } from './model'

/**
 * How many field days to play and from which seed. CI plays a fixed set
 * (the same days every time, so a failure is reproducible from the log);
 * `npm run chaos -- --runs N [--seed S] [--known-bugs]` sets CHAOS_RUNS /
 * CHAOS_SEED / CHAOS_KNOWN_BUGS to play more, CHAOS_PATH replays one
 * counterexample fast-check reported, CHAOS_DAY plays one given day.
 */

/** Days CI plays: two to three minutes on the shared 2-core machine (a day takes about 0.3 s). */
export const CI_RUNS = 500
/** The seed CI plays from. */
export const CI_SEED = 720240611

export interface ChaosSettings {
  runs: number
  seed: number
  /** fast-check's `path` of a counterexample, to replay just it. */
  path: string | undefined
  /** True for CI's fixed set, where coverage of every kind of trouble is asserted too. */
  isCiSet: boolean
  /** Troubles left out because they trip a known SDK bug (none with CHAOS_KNOWN_BUGS=all). */
  excluded: Exclusions
  /** CHAOS_DAY: one day to play instead of generated ones (a name in findings.ts, or a day as JSON). */
  day: { name: string; day: FieldDay } | undefined
}

function integerFrom(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got ${JSON.stringify(text)}`)
  return value
}

/**
 * CHAOS_KNOWN_BUGS: `1` or `all` puts back every trouble left out for a known
 * bug; a comma-separated list of {@link Exclusions} names puts back those only.
 */
function knownBugsPutBack(text: string | undefined): Exclusions {
  if (text === undefined || text === '') return KNOWN_BUG_EXCLUSIONS
  if (text === '1' || text === 'all') return NO_EXCLUSIONS
  const names = text.split(',').map((name) => name.trim())
  const known = Object.keys(KNOWN_BUG_EXCLUSIONS)
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length > 0) throw new Error(`CHAOS_KNOWN_BUGS: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`)
  const excluded: Exclusions = { ...KNOWN_BUG_EXCLUSIONS }
  for (const name of names) excluded[name as keyof Exclusions] = false
  return excluded
}

function oneDay(text: string | undefined): ChaosSettings['day'] {
  if (text === undefined || text === '') return undefined
  const findings = { ...FIXED_FINDINGS, ...OPEN_FINDINGS }
  const found = findings[text]
  if (found) return { name: text, day: found }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`CHAOS_DAY must be one of ${Object.keys(findings).join(', ')}, or a field day as JSON`)
  }
  const day = parsed as FieldDay
  if (typeof day !== 'object' || day === null || typeof day.options !== 'object' || !Array.isArray(day.ops)) {
    throw new Error('CHAOS_DAY as JSON must be { "options": {...}, "ops": [...] }')
  }
  return { name: 'given as JSON', day: printable(day) }
}

export function chaosSettings(env: NodeJS.ProcessEnv = process.env): ChaosSettings {
  const runs = integerFrom('CHAOS_RUNS', env.CHAOS_RUNS, 1) ?? CI_RUNS
  const seed = integerFrom('CHAOS_SEED', env.CHAOS_SEED, -(2 ** 31)) ?? CI_SEED
  const path = env.CHAOS_PATH === '' ? undefined : env.CHAOS_PATH
  const excluded = knownBugsPutBack(env.CHAOS_KNOWN_BUGS)
  const day = oneDay(env.CHAOS_DAY)
  const isCiSet = runs === CI_RUNS && seed === CI_SEED && path === undefined && excluded === KNOWN_BUG_EXCLUSIONS && day === undefined
  return { runs, seed, path, excluded, day, isCiSet }
}
