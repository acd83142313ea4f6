/**
 * CI's bundle budget: fails when the core bundle, minified and gzipped, grows
 * past CORE_GZIP_BUDGET_BYTES. Run after `npm run build`.
 */
import { CORE_GZIP_BUDGET_BYTES, measureBundle } from './bundle-size'

async function main(): Promise<void> {
  const core = await measureBundle('core', 'dist/index.esm.js')
  if (!core) throw new Error('dist/index.esm.js is missing: run npm run build first')
  const verdict = core.gzipBytes <= CORE_GZIP_BUDGET_BYTES ? 'within' : 'OVER'
  console.log(`core bundle: ${core.minifiedBytes} bytes minified, ${core.gzipBytes} gzipped; ${verdict} the budget of ${CORE_GZIP_BUDGET_BYTES}`)
  if (verdict === 'OVER') process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
