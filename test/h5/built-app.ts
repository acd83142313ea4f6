/**
 * Builds the uni-app fixture (test/fixtures/uni-h5, uni-app's default
 * settings) for H5 and mp-weixin against the SDK as users get it: the
 * packed tarball of this repository. Everything happens in a temp copy, so
 * the fixture in the repo stays untouched and a fresh clone needs nothing
 * beforehand. A build is kept in the temp folder under a hash of the SDK's
 * dist/ and the fixture, so the test files and the bench share it.
 */
import { execFileSync } from 'child_process'
import { createHash } from 'crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'fs'
import { tmpdir } from 'os'
import { join, resolve } from 'path'

const ROOT = resolve(__dirname, '../..')
const FIXTURE = join(ROOT, 'test/fixtures/uni-h5')
const SKIP = /[\\/](node_modules|dist|unpackage)$/

/** The built app and what each step took, for the report. */
export interface BuiltApp {
  /** The H5 build: index.html and assets/. */
  dir: string
  /** The mp-weixin build: app.js, common/vendor.js, offline.js, pages/. */
  mpWeixinDir: string
  /** The temp copy of the fixture, with its node_modules. */
  project: string
  /** Milliseconds per step; all zero but `sdkBuild` when an earlier identical build was reused. */
  timingsMs: { sdkBuild: number; pack: number; npmCi: number; install: number; uniBuildH5: number; uniBuildMpWeixin: number }
}

function run(command: string, args: string[], cwd: string): number {
  const started = Date.now()
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  return Date.now() - started
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (SKIP.test(path)) return []
      return statSync(path).isDirectory() ? files(path) : [path]
    })
}

/** `dist/` when missing or older than the sources: a fresh clone has none. */
function ensureSdkBuilt(): number {
  const bundle = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main)
  const newestSource = Math.max(...files(join(ROOT, 'sdk')).map((path) => statSync(path).mtimeMs))
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource) return 0
  return run('npm', ['run', 'build'], ROOT)
}

/** What the build depends on: the SDK as packed and the fixture's own files. */
function buildKey(): string {
  const hash = createHash('sha1')
  for (const path of [join(ROOT, 'package.json'), ...files(join(ROOT, 'dist')), ...files(FIXTURE)]) {
    hash.update(path.slice(ROOT.length)).update(readFileSync(path))
  }
  return hash.digest('hex').slice(0, 16)
}

const LOCK = join(tmpdir(), 'mpo-uni-fixture.lock')
/** A lock left by a killed run is taken over after this long. */
const STALE_LOCK_MS = 20 * 60_000

/** Runs `action` while holding a lock shared by jest workers and the bench: one build of dist/ or the fixture at a time. */
function exclusively<T>(action: () => T): T {
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true })
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }
  try {
    return action()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

/**
 * Packs the SDK, copies the fixture, installs its locked dependencies and
 * the tarball, and runs `uni build` for both targets; or reuses the build
 * an earlier run made of the same SDK and fixture.
 */
export function buildUniApp(): BuiltApp {
  return exclusively(build)
}

function build(): BuiltApp {
  const sdkBuild = ensureSdkBuilt()
  const kept = join(tmpdir(), `mpo-uni-fixture-${buildKey()}`)
  const built = (project: string, timingsMs: BuiltApp['timingsMs']): BuiltApp => ({
    dir: join(project, 'dist/build/h5'),
    mpWeixinDir: join(project, 'dist/build/mp-weixin'),
    project,
    timingsMs,
  })
  if (existsSync(join(kept, 'dist/build/mp-weixin/app.js'))) {
    return built(kept, { sdkBuild, pack: 0, npmCi: 0, install: 0, uniBuildH5: 0, uniBuildMpWeixin: 0 })
  }

  const work = mkdtempSync(join(tmpdir(), 'mpo-uni-build-'))
  const pack = run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT)
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack left no tarball in ${work}`)
  const project = join(work, 'app')
  cpSync(FIXTURE, project, { recursive: true, filter: (source) => !SKIP.test(source) })
  const npmCi = run('npm', ['ci', '--no-audit', '--no-fund'], project)
  const install = run('npm', ['install', '--no-save', '--no-audit', '--no-fund', join(work, tarball)], project)
  const uniBuildH5 = run('npx', ['uni', 'build'], project)
  const uniBuildMpWeixin = run('npx', ['uni', 'build', '-p', 'mp-weixin'], project)
  const timingsMs = { sdkBuild, pack, npmCi, install, uniBuildH5, uniBuildMpWeixin }
  const app = built(project, timingsMs)
  if (!existsSync(join(app.dir, 'index.html'))) throw new Error(`uni build left no index.html in ${app.dir}`)
  if (!existsSync(join(app.mpWeixinDir, 'app.js'))) throw new Error(`uni build -p mp-weixin left no app.js in ${app.mpWeixinDir}`)
  rmSync(kept, { recursive: true, force: true })
  // Kept for the next test file or bench.
  renameSync(project, kept)
  rmSync(work, { recursive: true, force: true })
  return built(kept, timingsMs)
}
