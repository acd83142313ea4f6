import * as http from 'http'
import { startTestServer } from '../test/support/test-server'
import { createWxEmulator } from '../sdk/testing'
async function main() {
  const server = await startTestServer({ latencyMs: 20 })
  const n = 100
  const agent = new http.Agent({ keepAlive: true })
  const raw = (a: http.Agent | false, hop: boolean) => new Promise<void>((resolve) => {
    const req = http.request(`${server.url}/visits`, { method: 'POST', agent: a, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => (hop ? setTimeout(resolve, 0) : resolve())) })
    req.end('{"a":1}')
  })
  const emu = createWxEmulator()
  const variants: Record<string, () => Promise<unknown>> = {
    'raw keep-alive, no hop (floor of any emulator)': () => raw(agent, false),
    'raw agent:false + setTimeout(0) hop (old emulator path)': () => raw(false, true),
    'emulator wx.request (new)': () => new Promise((resolve) => emu.wx.request({ url: `${server.url}/visits`, method: 'POST', data: { a: 1 }, success: resolve, fail: resolve })),
  }
  const totals: Record<string, number> = {}
  for (let round = 0; round < 3; round++) {
    for (const [name, call] of Object.entries(variants)) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < n; i++) await call()
      totals[name] = (totals[name] ?? 0) + Number(process.hrtime.bigint() - start) / 1e6
    }
  }
  for (const [name, total] of Object.entries(totals)) console.log(name, (total / (3 * n)).toFixed(2), 'ms/request, x floor', (total / (3 * n) / 20).toFixed(3))
  emu.dispose()
  agent.destroy()
  await server.close()
}
main()
