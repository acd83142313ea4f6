/**
 * `npm run demo`: a scripted field day through the real SDK on emulated
 * phones against the demo server (SQLite), ending with a report. Exits
 * non-zero unless the server holds exactly what the users did, once each.
 *
 *   npm run demo                      # the default day, seed 42, under a minute
 *   npm run demo -- --seed 7          # another deterministic day
 *   npm run demo -- --long            # a longer day
 *   npm run demo -- --visits 30 --deliveries 10 --flaps 20
 */
import { mulberry32 } from './faults'
import { playFieldDay, type FieldDayPlan, type FieldDayResult } from './field-day/field-day'
import { verifyFieldDay } from './field-day/verify'
import { startDemoServer, type DemoServer } from './server'

const DEFAULT_PLAN: FieldDayPlan = { seed: 42, visits: 12, deliveries: 6, flaps: 10 }
const LONG_PLAN: FieldDayPlan = { seed: 42, visits: 60, deliveries: 25, flaps: 40 }

function parsePlan(args: readonly string[]): FieldDayPlan {
  const plan = { ...(args.includes('--long') ? LONG_PLAN : DEFAULT_PLAN) }
  const numberAfter = (flag: string): number | undefined => {
    const index = args.indexOf(flag)
    if (index < 0) return undefined
    const value = Number(args[index + 1])
    if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number`)
    return value
  }
  plan.seed = numberAfter('--seed') ?? plan.seed
  plan.visits = numberAfter('--visits') ?? plan.visits
  plan.deliveries = numberAfter('--deliveries') ?? plan.deliveries
  plan.flaps = numberAfter('--flaps') ?? Math.max(plan.flaps, plan.deliveries)
  return plan
}

function printReport(server: DemoServer, result: FieldDayResult, problems: string[]): void {
  const stats = server.stats()
  const counts = server.db.counts()
  const rows: Array<[string, string | number]> = [
    ['visits logged (offline) / 拜访', result.actions.visits.length],
    ['deliveries confirmed / 签收', result.actions.deliveries.length],
    ['photos taken / 照片', result.actions.photos],
    ['app kills / 被杀掉', result.actions.appKills],
    ['entries sent / 已发送', result.sent],
    ['retries scheduled / 重试', result.retries],
    ['5xx injected by the server', stats.injected5xx],
    ['answers lost (connection dropped)', stats.dropped],
    ['repeats answered from idempotency keys / 幂等键去重', stats.repeatsReplayed],
    ['rows in SQLite: visits / deliveries / photos', `${counts.visits} / ${counts.deliveries} / ${counts.photos}`],
    ['left waiting on the phones', result.pendingAtEnd],
    ['time', `${(result.ms / 1000).toFixed(1)} s`],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  console.log('\nField day report / 外勤一日报告')
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`)
  if (problems.length === 0) console.log('\n✓ the server holds exactly what the users did, once each / 服务器数据与用户操作完全一致，每条恰好一次')
  else for (const problem of problems) console.log(`✗ ${problem}`)
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2))
  console.log(`Field day, seed ${plan.seed}: ${plan.visits} visits, ${plan.deliveries} deliveries, ${plan.flaps} network flaps`)
  const server = await startDemoServer({ seed: plan.seed, latencyMs: 10 })
  try {
    const result = await playFieldDay(server, plan, mulberry32(plan.seed))
    const problems = verifyFieldDay(server, result)
    printReport(server, result, problems)
    process.exitCode = problems.length === 0 ? 0 : 1
  } finally {
    await server.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
