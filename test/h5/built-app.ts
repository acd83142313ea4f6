/**
 * Builds the uni-app fixture (test/fixtures/uni-h5, uni-app's default
 * settings) for H5 against the SDK as users get it: the packed tarball of
 * this repository. Everything happens in a temp copy, so the fixture in the
 * repo stays untouched and a fresh clone needs nothing beforehand.
 */
import { execFileSync } from 'child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from 'fs'
import { tmpdir } from 'os'
import { join, resolve } from 'path'

const ROOT = resolve(__dirname, '../..')
const FIXTURE = join(ROOT, 'test/fixtures/uni-h5')

/** The built app and what each step took, for the report. */
export interface BuiltApp {
  /** The folder with index.html and assets/. */
  dir: string
  /** The temp copy of the fixture, with its node_modules. */
  project: string
  timingsMs: { sdkBuild: number; pack: number; npmCi: number; install: number; uniBuild: number }
}

function run(command: string, args: string[], cwd: string): number {
  const started = Date.now()
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  return Date.now() - started
}

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let latest = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stats = statSync(path)
    latest = Math.max(latest, stats.isDirectory() ? newest(path) : stats.mtimeMs)
  }
  return latest
}

/** `dist/` when missing or older than the sources: a fresh clone has none. */
function ensureSdkBuilt(): number {
  const bundle = join(ROOT, 'dist/index.esm.js')
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(ROOT, 'sdk'))) return 0
  return run('npm', ['run', 'build'], ROOT)
}

/** Packs the SDK, copies the fixture, installs its locked dependencies and the tarball, and runs `uni build`. */
export function buildH5App(): BuiltApp {
  const sdkBuild = ensureSdkBuilt()
  const work = mkdtempSync(join(tmpdir(), 'mpo-h5-'))
  const pack = run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT)
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack left no tarball in ${work}`)
  const project = join(work, 'app')
  cpSync(FIXTURE, project, { recursive: true, filter: (source) => !/[\\/](node_modules|dist|unpackage)$/.test(source) })
  const npmCi = run('npm', ['ci', '--no-audit', '--no-fund'], project)
  const install = run('npm', ['install', '--no-save', '--no-audit', '--no-fund', join(work, tarball)], project)
  const uniBuild = run('npx', ['uni', 'build'], project)
  const dir = join(project, 'dist/build/h5')
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`uni build left no index.html in ${dir}`)
  return { dir, project, timingsMs: { sdkBuild, pack, npmCi, install, uniBuild } }
}
