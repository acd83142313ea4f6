/**
 * `npm run chaos -- [--runs N] [--seed S] [--path P] [--known-bugs[=name,...]] [--day NAME]`
 *
 * Plays more field days than CI does (CI: the fixed set in
 * chaos-settings.ts), then the crash-point enumeration: runs Jest on
 * test/chaos with CHAOS_RUNS / CHAOS_SEED / CHAOS_PATH / CHAOS_KNOWN_BUGS
 * set, and exits with its code.
 *
 * - `--runs N`: field days to play (default: CI's number).
 * - `--seed S`: where fast-check starts (default: CI's seed); a failure prints its seed.
 * - `--path P`: with `--seed`, replays just the counterexample fast-check reported.
 * - `--known-bugs[=name,...]`: puts back the troubles left out for known SDK
 *   bugs (all of them, or those named: see field-day-arbitrary.ts `Exclusions`).
 * - `--day NAME`: plays one day of findings.ts (or a day given as JSON).
 */
import { spawn } from 'child_process'

const USAGE = 'usage: npm run chaos -- [--runs N] [--seed S] [--path P] [--known-bugs[=name,...]] [--day NAME]'

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

/** Reads `--name value` and `--name=value`. */
function parseArgs(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  const names: Record<string, string> = { '--runs': 'CHAOS_RUNS', '--seed': 'CHAOS_SEED', '--path': 'CHAOS_PATH', '--day': 'CHAOS_DAY' }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    if (flag === '--known-bugs') {
      env.CHAOS_KNOWN_BUGS = inline ?? 'all'
      continue
    }
    const name = names[flag]
    if (name === undefined) fail(`unknown argument ${JSON.stringify(argv[i])}`)
    const value = inline ?? argv[++i]
    if (value === undefined || value === '') fail(`${flag} needs a value`)
    env[name] = value
  }
  if (env.CHAOS_RUNS !== undefined && !/^[1-9]\d*$/.test(env.CHAOS_RUNS)) fail('--runs must be a positive integer')
  if (env.CHAOS_SEED !== undefined && !/^-?\d+$/.test(env.CHAOS_SEED)) fail('--seed must be an integer')
  if (env.CHAOS_PATH !== undefined && env.CHAOS_SEED === undefined) fail('--path replays a counterexample of one seed: give --seed too')
  return env
}

const env = parseArgs(process.argv.slice(2))
console.log(`chaos: ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ') || 'the CI set'}`)
const jest = spawn('npx', ['jest', 'test/chaos', '--runInBand'], { stdio: 'inherit', env: { ...process.env, ...env } })
jest.on('error', (error) => fail(`could not start jest: ${error.message}`))
jest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
