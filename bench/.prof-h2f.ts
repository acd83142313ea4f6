import { measurePush } from './outbox-fixtures'
async function main() {
  for (const n of (process.env.NS ?? '1000,10000').split(',').map(Number)) {
    const r = await measurePush(n)
    console.log(JSON.stringify({ backlog: n, ...r, ratio: r.openMs / r.naiveOpenMs }))
  }
}
main()
