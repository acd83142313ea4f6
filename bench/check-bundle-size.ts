/**
 * CI's bundle budgets: fails when the gzipped core, the raw
 * `miniprogram_dist/` or the packed tarball grows past its budget (see
 * bench/bundle-size.ts). Run after `npm run build`.
 */
import { checkBudgets } from './bundle-size'

async function main(): Promise<void> {
  for (const { what, bytes, budget } of await checkBudgets()) {
    const verdict = bytes <= budget ? 'within' : 'OVER'
    console.log(`${what}: ${bytes.toLocaleString('en-US')} bytes, ${verdict} the budget of ${budget.toLocaleString('en-US')} (${Math.round((bytes / budget) * 100)}%)`)
    if (verdict === 'OVER') process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
