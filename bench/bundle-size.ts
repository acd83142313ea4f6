/**
 * Sizes of the built bundles as a user would ship them: minified with terser
 * and gzipped. Reads `dist/` and `miniprogram_dist/`, so run `npm run build` first.
 */
import { existsSync, readFileSync } from 'fs'
import * as path from 'path'
import { minify } from 'terser'
import { gzipSync } from 'zlib'

const ROOT = path.join(__dirname, '..')

/** The bundles users load: the core, each subpath, and what WeChat DevTools copies. */
export const BUNDLES = [
  { name: 'core (miniprogram-offline)', file: 'dist/index.esm.js' },
  { name: 'miniprogram-offline/uni', file: 'dist/uni.esm.js' },
  { name: 'miniprogram-offline/testing', file: 'dist/testing.esm.js' },
  { name: 'miniprogram_dist (DevTools npm)', file: 'miniprogram_dist/index.js' },
]

/**
 * Gzipped bytes the core may grow to before CI fails: the size when the
 * budget was set (25.5 KB, outbox, files and reads together) plus about a
 * quarter, so growth is a decision, not an accident.
 */
export const CORE_GZIP_BUDGET_BYTES = 32 * 1024

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
  const minified = await minify(source, { module: file.endsWith('.esm.js'), compress: true, mangle: true })
  const code = minified.code ?? ''
  return { name, file, rawBytes: Buffer.byteLength(source), minifiedBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length }
}

export async function measureBundles(): Promise<BundleSize[]> {
  const sizes = await Promise.all(BUNDLES.map(({ name, file }) => measureBundle(name, file)))
  return sizes.filter((size): size is BundleSize => size !== undefined)
}
