/**
 * Sizes of the built bundles as a user would ship them: minified with terser
 * and gzipped. Reads `dist/` and `miniprogram_dist/`, so run `npm run build`
 * first. Also the budgets CI holds them to (`npm run check:size`).
 */
import { execFileSync } from 'child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs'
import * as os from 'os'
import * as path from 'path'
import { minify } from 'terser'
import { gzipSync } from 'zlib'

const ROOT = path.join(__dirname, '..')

/** The bundles users load: the core, each subpath, and what WeChat DevTools copies. */
export const BUNDLES = [
  { name: 'core (miniprogram-offline)', file: 'dist/index.mjs' },
  { name: 'miniprogram-offline/uni', file: 'dist/uni.mjs' },
  { name: 'miniprogram-offline/testing', file: 'dist/testing.mjs' },
  { name: 'miniprogram-offline/server', file: 'dist/server.mjs' },
  { name: 'miniprogram_dist/index.js (DevTools npm)', file: 'miniprogram_dist/index.js' },
]

/**
 * Gzipped bytes the core may grow to before CI fails: the size when the
 * budget was last set (34.0 KB: outbox, files, reads, write-ahead sends,
 * batch replay) plus about 8%, so growth is a decision, not an accident.
 * It was 32 KiB until batch replay and the hardening of issue 10 took the
 * core past it.
 */
export const CORE_GZIP_BUDGET_BYTES = 36 * 1024

/**
 * Raw bytes of all of `miniprogram_dist/` (core and components), which count
 * against WeChat's 2 MB main package: 117 KB when set (with the batch
 * replay), plus about a quarter.
 */
export const MINIPROGRAM_DIST_BUDGET_BYTES = 148 * 1024

/**
 * Bytes of the packed tarball (`npm pack`): what `npm install` downloads.
 * 398 KB when set (readable dist for Node, server, conformance kit and
 * bin included, no source maps), plus about a quarter.
 */
export const TARBALL_BUDGET_BYTES = 500 * 1024

export interface BundleSize {
  name: string
  file: string
  rawBytes: number
  minifiedBytes: number
  gzipBytes: number
}

export async function measureBundle(name: string, file: string): Promise<BundleSize | undefined> {
  const fullPath = path.join(ROOT, file)
  if (!existsSync(fullPath)) return undefined
  const source = readFileSync(fullPath, 'utf8')
  const minified = await minify(source, { module: file.endsWith('.mjs'), compress: true, mangle: true })
  const code = minified.code ?? ''
  return { name, file, rawBytes: Buffer.byteLength(source), minifiedBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length }
}

export async function measureBundles(): Promise<BundleSize[]> {
  const sizes = await Promise.all(BUNDLES.map(({ name, file }) => measureBundle(name, file)))
  return sizes.filter((size): size is BundleSize => size !== undefined)
}

/** Raw bytes of every file under `miniprogram_dist/`, or undefined before a build. */
export function miniprogramDistBytes(): number | undefined {
  const folder = path.join(ROOT, 'miniprogram_dist')
  if (!existsSync(folder)) return undefined
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0)
}

/** Packs the repo as `npm pack` would publish it and returns the tarball's bytes. */
export function tarballBytes(): number {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mpo-size-'))
  try {
    const name = execFileSync('npm', ['pack', '--pack-destination', folder, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop() as string
    return statSync(path.join(folder, name)).size
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** One size held to one budget. */
export interface BudgetCheck {
  what: string
  bytes: number
  budget: number
}

/** The three budgets CI checks, measured on the current build. */
export async function checkBudgets(): Promise<BudgetCheck[]> {
  const core = await measureBundle('core', 'dist/index.mjs')
  const dist = miniprogramDistBytes()
  if (!core || dist === undefined) throw new Error('dist/ or miniprogram_dist/ is missing: run npm run build first')
  return [
    { what: 'core, minified and gzipped', bytes: core.gzipBytes, budget: CORE_GZIP_BUDGET_BYTES },
    { what: 'miniprogram_dist, raw', bytes: dist, budget: MINIPROGRAM_DIST_BUDGET_BYTES },
    { what: 'packed tarball', bytes: tarballBytes(), budget: TARBALL_BUDGET_BYTES },
  ]
}
