/** Bundle sizes (minified and gzipped, core and each subpath) of a fresh build, and each budget. */
import { execSync } from 'child_process'
import * as path from 'path'
import { printTable, type BenchSection } from './bench-section'
import { checkBudgets, measureBundles } from './bundle-size'

export const bundleBench: BenchSection = {
  name: 'bundle',
  description: 'bundle sizes, minified (terser) and gzipped, after npm run build; each budget',
  async run() {
    execSync('npm run build --silent', { cwd: path.join(__dirname, '..'), stdio: 'ignore' })
    const sizes = await measureBundles()
    printTable(
      'Bundles',
      sizes.map((size) => ({ bundle: size.name, raw: size.rawBytes, minified: size.minifiedBytes, gzipped: size.gzipBytes })),
      ['miniprogram_dist/index.js is minified by the build itself, so its raw and minified sizes are close.'],
    )
    const budgets = await checkBudgets()
    printTable(
      'Budgets',
      budgets.map(({ what, bytes, budget }) => ({ size: what, bytes, budget, used: `${Math.round((bytes / budget) * 100)}%` })),
      ['CI fails when any size passes its budget (npm run check:size).'],
    )
  },
}
