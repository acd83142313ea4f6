/**
 * The conformance kit: it passes on a correct server and on a middleware
 * app, and catches each violation on a deliberately broken server, both
 * called as `main()` and run as a program.
 */
import { execFile } from 'child_process'
import Database from 'better-sqlite3'
import * as path from 'path'
import { sqliteStore } from 'miniprogram-offline/server'
import { main } from '../../sdk/server/conformance/cli'
import { startBrokenServer, type Flaw } from './support/broken-servers'
import { startOrdersApp } from './support/orders-app'

async function kit(args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await main(['conformance', ...args], (text) => (out += text))
  return { code, out }
}

/** The row of one check in the printed table. */
function row(out: string, name: string): string {
  return out.split('\n').find((line) => line.includes(name)) ?? `(no row for ${name})`
}

describe('the conformance kit on a correct server', () => {
  it('passes every check and exits 0', async () => {
    const server = await startBrokenServer('none')
    try {
      const { code, out } = await kit([server.url, '--count-url', server.countUrl, '--fail-header', 'x-fail: 1'])
      expect(out).not.toMatch(/^FAIL/m)
      expect(out).not.toMatch(/^SKIP/m)
      expect(out).toContain('conformance: passed')
      expect(code).toBe(0)
    } finally {
      await server.close()
    }
  })

  it('passes on an Express app with the middleware on SQLite', async () => {
    const db = new Database(':memory:')
    const app = await startOrdersApp({ store: sqliteStore(db) })
    try {
      const { code, out } = await kit([`${app.url}/orders`, '--body', '{"item":"tea"}', '--header', 'x-delay-ms: 150', '--count-url', `${app.url}/count`, '--fail-header', 'x-fail: 503'])
      expect(out).not.toMatch(/^(FAIL|SKIP|WARN)/m)
      expect(code).toBe(0)
    } finally {
      await app.close()
      db.close()
    }
  })
})

const VIOLATIONS: Array<[Flaw, string]> = [
  ['ignores-key', 'replay: same answer, no second effect'],
  ['replay-differs', 'replay: same answer, no second effect'],
  ['racy', 'concurrent duplicates: one effect'],
  ['in-progress-200', 'duplicate while in progress: 409'],
  ['in-progress-400', 'duplicate while in progress: 409'],
  ['no-fingerprint', 'same key, another payload: 422'],
  ['caches-5xx', '5xx is not cached: the retry runs'],
  ['rejects-step-keys', "the SDK's key forms"],
]

describe('the conformance kit catches each violation', () => {
  it.each(VIOLATIONS)('a server that %s fails "%s" and the run exits 1', async (flaw, check) => {
    const server = await startBrokenServer(flaw)
    try {
      const { code, out } = await kit([server.url, '--count-url', server.countUrl, '--fail-header', 'x-fail: 1'])
      expect(row(out, check)).toMatch(/^FAIL/)
      expect(out).toMatch(/conformance: \d+ check\(s\) FAILED/)
      expect(code).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('catches a second effect by the count even when the answers look right', async () => {
    const server = await startBrokenServer('racy', 150)
    try {
      const { out } = await kit([server.url, '--count-url', server.countUrl, '--concurrency', '4'])
      expect(row(out, 'concurrent duplicates')).toMatch(/^FAIL.*(differ|effect)/)
    } finally {
      await server.close()
    }
  })
})

describe('the conformance command', () => {
  const cli = path.join(__dirname, '../../sdk/server/conformance/cli.ts')
  const run = (args: string[]): Promise<{ code: number; stdout: string }> =>
    new Promise((resolve) => {
      execFile('npx', ['ts-node', '--transpile-only', cli, ...args], { cwd: path.join(__dirname, '../..') }, (error, stdout) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
      )
    })

  it('runs as a program: prints the table and exits 1 on a broken server', async () => {
    const bad = await startBrokenServer('caches-5xx')
    try {
      const failed = await run([bad.url, '--count-url', bad.countUrl, '--fail-header', 'x-fail: 1'])
      expect(row(failed.stdout, 'replay: same answer')).toMatch(/^PASS/)
      expect(row(failed.stdout, '5xx is not cached')).toMatch(/^FAIL/)
      expect(failed.code).toBe(1)
    } finally {
      await bad.close()
    }
  }, 60000)

  it('exits 2 with the usage on bad arguments, before sending anything', async () => {
    expect((await kit([])).code).toBe(2)
    const unknown = await kit(['http://127.0.0.1:1/x', '--frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.out).toContain('unknown option --frobnicate')
    expect((await kit(['not a url'])).out).toContain('url is not a URL')
    expect((await kit(['http://127.0.0.1:1/x', '--header', 'no-colon'])).out).toContain('Name: value')
  })

  it('marks checks it could not run as SKIP, not as passed', async () => {
    const server = await startBrokenServer('none', 0)
    try {
      const { code, out } = await kit([server.url])
      expect(row(out, '5xx is not cached')).toMatch(/^SKIP.*--fail-header/)
      expect(code).toBe(0)
    } finally {
      await server.close()
    }
  })
})
