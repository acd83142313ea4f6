/** The demo server passes the conformance kit, as any backend the SDK talks to must. */
import { main } from '../../sdk/server/conformance/cli'
import { cleanUp, startServer } from './demo-harness'

afterEach(cleanUp)

it('passes every check of the conformance kit, effects counted', async () => {
  const server = await startServer({ latencyMs: 120 })
  let out = ''
  const code = await main(
    [
      'conformance',
      `${server.url}/visits`,
      '--body',
      JSON.stringify({ customerId: 'c01', notes: 'conformance', at: '2024-06-01T10:00:00Z' }),
      '--count-url',
      `${server.url}/admin/counts/visits`,
      '--fail-header',
      'X-Demo-Fail: 1',
    ],
    (text) => (out += text),
  )
  expect(out).not.toMatch(/^(FAIL|SKIP|WARN)/m)
  expect(code).toBe(0)
  expect(server.stats().inProgress409).toBeGreaterThan(0)
  expect(server.stats().mismatch422).toBe(1)
  expect(server.stats().injected5xx).toBe(1)
}, 30000)
