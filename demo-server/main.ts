/**
 * `npm run demo:server`: the demo server on 127.0.0.1 for WeChat DevTools
 * (tick "不校验合法域名" in the project settings to call it). Data lives in
 * `demo-server/.data/`, so visits and photos survive a restart.
 *
 * Environment: PORT (default 3900), LATENCY_MS, FAILURE_RATE, DROP_RATE,
 * FAULT_READS=1, SEED.
 */
import * as path from 'path'
import { ROUTES } from './routes'
import { startDemoServer } from './server'

function numberFromEnv(name: string): number | undefined {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${JSON.stringify(text)}`)
  return value
}

async function main(): Promise<void> {
  const server = await startDemoServer({
    host: '127.0.0.1',
    port: numberFromEnv('PORT') ?? 3900,
    dataDir: path.join(__dirname, '.data'),
    latencyMs: numberFromEnv('LATENCY_MS'),
    failureRate: numberFromEnv('FAILURE_RATE'),
    dropRate: numberFromEnv('DROP_RATE'),
    faultReads: process.env.FAULT_READS === '1',
    seed: numberFromEnv('SEED'),
    log: (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`),
  })
  const width = Math.max(...ROUTES.map((route) => route.pattern.length))
  console.log(`demo server: ${server.url}   (data: ${server.dataDir})`)
  for (const route of ROUTES) console.log(`  ${route.method.padEnd(4)} ${route.pattern.padEnd(width)}  ${route.summary}`)
  const knobs = server.faults()
  console.log(`faults: latency ${knobs.latencyMs} ms, failure rate ${knobs.failureRate}, drop rate ${knobs.dropRate}${knobs.faultReads ? ', reads too' : ', writes only'}`)
  console.log('POST/PUT honour Idempotency-Key: repeat -> stored answer (Idempotent-Replayed: true), in progress -> 409, other payload -> 422')

  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
