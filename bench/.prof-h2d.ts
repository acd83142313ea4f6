import { startTestServer } from '../test/support/test-server'
import { measureNaiveReplay, measureReplay } from './outbox-fixtures'
async function main() {
  const server = await startTestServer({ latencyMs: 20 })
  const n = Number(process.env.N ?? 300)
  const naive = await measureNaiveReplay(server, n)
  const naiveEach = await measureNaiveReplay(server, n, 'write-each')
  const one = await measureReplay(server, n, 1, 4)
  const floor = n * 20
  console.log({ n, floor, naive: naive / floor, naiveEach: naiveEach / floor, oneLane: one / floor })
  await server.close()
}
main()
