/** `npx miniprogram-offline conformance <url> --batch-url <url>`: the kit runs the batch checks too, and fails on a broken endpoint. */
import { main } from '../../../sdk/server/conformance/cli'
import { startBrokenBackend, type BrokenBackend } from './support/broken-batch-servers'

let backend: BrokenBackend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

async function run(breakage: 'none' | 'no-lane-stop'): Promise<{ code: number; out: string }> {
  backend = await startBrokenBackend(breakage)
  let out = ''
  const origin = backend.batchUrl.replace(/\/[^/]*$/, '')
  const code = await main(
    [
      'conformance',
      `${origin}/visits`,
      '--body',
      '{"customer":"c1"}',
      '--header',
      'Authorization: Bearer token-alice',
      '--count-url',
      backend.countUrl,
      '--batch-url',
      backend.batchUrl,
      '--batch-auth-header',
      'Authorization',
    ],
    (text) => (out += text),
  )
  return { code, out }
}

it('adds the batch checks to the table when --batch-url is given, and passes a correct endpoint', async () => {
  const { out } = await run('none')
  expect(out).toMatch(/PASS\s+batch: one result per entry, in request order/)
  expect(out).toMatch(/PASS\s+batch: a lane stops at its first non-2xx; other lanes go on/)
})

it('exits 1 when the batch endpoint breaks the lane rule', async () => {
  const { code, out } = await run('no-lane-stop')
  expect(out).toMatch(/FAIL\s+batch: a lane stops at its first non-2xx/)
  expect(code).toBe(1)
})
