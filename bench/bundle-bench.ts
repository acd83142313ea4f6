/** Bundle sizes (minified and gzipped, core and each subpath) of a fresh build. */
import { execSync } from 'child_process'
import * as path from 'path'
import { printTable, type BenchSection } from './bench-section'
import { CORE_GZIP_BUDGET_BYTES, measureBundles } from './bundle-size'

export const bundleBench: BenchSection = {
  name: 'bundle',
  description: 'bundle sizes, minified (terser) and gzipped, after npm run build',
  async run() {
    execSync('npm run build --silent', { cwd: path.join(__dirname, '..'), stdio: 'ignore' })
    const sizes = await measureBundles()
    printTable(
      'Bundles',
      sizes.map((size) => ({ bundle: size.name, raw: size.rawBytes, minified: size.minifiedBytes, gzipped: size.gzipBytes })),
      [`CI fails when the core grows past ${CORE_GZIP_BUDGET_BYTES.toLocaleString('en-US')} bytes gzipped (npm run check:size).`],
    )
  },
}
