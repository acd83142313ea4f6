import { existsSync, writeFileSync } from 'fs'
import * as path from 'path'
import { bin, installTarball, linkFromRepo, makeTemp, packTarball, removeTemp, ROOT, run } from './packed-package'

/**
 * The tarball installed into a fresh project, used as Node and TypeScript
 * users would: `import` from `.mjs`, `require` from `.cjs`, and a TypeScript
 * consumer type-checked under each module resolution mode.
 */

let folder: string
let project: string
const hasServer = existsSync(path.join(ROOT, 'sdk/server/index.ts'))
const hasCli = existsSync(path.join(ROOT, 'sdk/server/conformance/cli.ts'))

beforeAll(() => {
  folder = makeTemp('consumers')
  const tarball = packTarball(folder)
  project = path.join(folder, 'app')
  installTarball(project, tarball)
  // What the app brings itself: the peer dependencies of /uni and the type packages.
  linkFromRepo(project, ['vue', '@vue', '@dcloudio', '@types', 'miniprogram-api-typings'])
}, 300_000)

afterAll(() => removeTemp(folder))

/**
 * Queues one request offline on the emulator, then reports what the package
 * gave: the same script, in ESM and CommonJS form.
 */
const USE_THE_PACKAGE = `
const emulator = createWxEmulator()
emulator.setOnline(false)
const offline = createOffline({ namespace: 'consumer', platform: createWxPlatform(emulator.wx, { clock: emulator.clock }) })
const result = await offline.request({ url: 'http://127.0.0.1:9/visits', method: 'POST', data: { n: 1 } })
let typed = ''
try { await offline.request({ url: 42 }) } catch (error) { typed = error instanceof OfflineError ? error.code : 'untyped' }
const report = {
  result: result.status,
  pending: offline.pending().length,
  typed,
  uni: [typeof uni.useOfflineStatus, typeof uni.usePending],
  server: server ? [typeof server.idempotency, server.canonicalJson({ b: 1, a: 2 })] : null,
}
offline.close()
await emulator.dispose()
console.log(JSON.stringify(report))
`

const EXPECTED = {
  result: 'queued',
  pending: 1,
  typed: 'INVALID_ARGUMENT',
  uni: ['function', 'function'],
  server: hasServer ? ['function', '{"a":2,"b":1}'] : null,
}

test('an .mjs file imports every entry natively in Node (static and dynamic import)', () => {
  writeFileSync(
    path.join(project, 'use.mjs'),
    [
      "import { createOffline, createWxPlatform, OfflineError } from 'miniprogram-offline'",
      "import { createWxEmulator } from 'miniprogram-offline/testing'",
      "const uni = await import('miniprogram-offline/uni')",
      hasServer ? "const server = await import('miniprogram-offline/server')" : 'const server = null',
      USE_THE_PACKAGE,
    ].join('\n'),
  )
  expect(JSON.parse(run('node', ['use.mjs'], project))).toEqual(EXPECTED)
}, 60_000)

test('a .cjs file requires every entry', () => {
  writeFileSync(
    path.join(project, 'use.cjs'),
    [
      "const { createOffline, createWxPlatform, OfflineError } = require('miniprogram-offline')",
      "const { createWxEmulator } = require('miniprogram-offline/testing')",
      "const uni = require('miniprogram-offline/uni')",
      hasServer ? "const server = require('miniprogram-offline/server')" : 'const server = null',
      `;(async () => {${USE_THE_PACKAGE}})()`,
    ].join('\n'),
  )
  expect(JSON.parse(run('node', ['use.cjs'], project))).toEqual(EXPECTED)
}, 60_000)

test('npx miniprogram-offline runs the conformance kit from the installed bin', () => {
  if (!hasCli) return
  const usage = run(path.join(project, 'node_modules/.bin/miniprogram-offline'), ['--help'], project)
  expect(usage).toMatch(/^usage: miniprogram-offline conformance <url>/)
}, 60_000)

/** A consumer that only type-checks when every entry's types are found and right. */
const consumerSource = (): string =>
  [
    "import { createOffline, createWxPlatform, OfflineError, type PendingItem, type RequestResult, type SyncStatus } from 'miniprogram-offline'",
    "import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'",
    "import { useOfflineStatus, usePending } from 'miniprogram-offline/uni'",
    hasServer ? "import { idempotency, sqliteStore } from 'miniprogram-offline/server'" : '',
    'const emulator: WxEmulator = createWxEmulator()',
    "const offline = createOffline({ namespace: 'consumer', platform: createWxPlatform(emulator.wx) })",
    "export const result: Promise<RequestResult> = offline.request({ url: 'https://api.example.com/visits', method: 'POST', data: { n: 1 } })",
    'export const items: PendingItem[] = offline.pending()',
    'export const online: SyncStatus["online"] = offline.status.get().online',
    "export const code: string | undefined = new Error() instanceof OfflineError ? 'typed' : undefined",
    'export const composables: [typeof useOfflineStatus, typeof usePending] = [useOfflineStatus, usePending]',
    'export const bytes: Buffer = Buffer.from("photo")',
    hasServer ? 'export const server: [typeof idempotency, typeof sqliteStore] = [idempotency, sqliteStore]' : '',
    '// @ts-expect-error a wrong option must not type-check, or the types are `any`',
    "createOffline({ namespace: 42 })",
  ].join('\n')

/**
 * Resolution modes and the consumer files each checks (`.mts` is ESM under
 * node16/nodenext). node16 reads both typings (`.d.cts` and `.d.mts`, the
 * same text) with `skipLibCheck: false`, so errors inside them fail it; the
 * other modes skip that slow part and check resolution and use.
 */
const MODES: Array<{ name: string; module: string; moduleResolution: string; files: string[]; skipLibCheck: boolean }> = [
  { name: 'node10', module: 'commonjs', moduleResolution: 'node10', files: ['consumer.ts'], skipLibCheck: true },
  { name: 'node16', module: 'node16', moduleResolution: 'node16', files: ['consumer.ts', 'consumer.mts'], skipLibCheck: false },
  { name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext', files: ['consumer.ts', 'consumer.mts'], skipLibCheck: true },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler', files: ['consumer.ts'], skipLibCheck: true },
]

/**
 * A TypeScript mini-program (WeChat's TS template: CommonJS, node10
 * resolution, WeChat's typings only) using the components' helpers.
 */
const MINIPROGRAM_CONSUMER = [
  "import { createOffline, type OfflineClient } from 'miniprogram-offline'",
  "import { provideOffline, offlineStatusBehavior, type PendingRow } from 'miniprogram-offline/components/index'",
  "const offline: OfflineClient = createOffline({ namespace: 'sales:rep-001' })",
  'provideOffline(offline)',
  'Component({ behaviors: [offlineStatusBehavior] })',
  "export const titles: PendingRow['title'][] = []",
  '// @ts-expect-error only a client can be provided',
  "provideOffline('client')",
].join('\n')

test.each([
  { name: 'node10', module: 'commonjs', moduleResolution: 'node10' },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler' },
])('a TypeScript mini-program finds the components helpers with $name resolution', ({ name, module, moduleResolution }) => {
  writeFileSync(path.join(project, 'miniprogram.ts'), MINIPROGRAM_CONSUMER)
  const tsconfig = {
    compilerOptions: { target: 'ES2020', module, moduleResolution, strict: true, noEmit: true, skipLibCheck: true, types: ['miniprogram-api-typings'], lib: ['ES2020'] },
    files: ['miniprogram.ts'],
  }
  writeFileSync(path.join(project, `tsconfig.mp-${name}.json`), JSON.stringify(tsconfig))
  run(bin('tsc'), ['-p', `tsconfig.mp-${name}.json`], project)
}, 60_000)

test.each(MODES)('TypeScript finds and checks every entry with $name resolution', ({ name, module, moduleResolution, files, skipLibCheck }) => {
  writeFileSync(path.join(project, 'consumer.ts'), consumerSource())
  writeFileSync(path.join(project, 'consumer.mts'), consumerSource())
  const tsconfig = {
    compilerOptions: { target: 'ES2020', module, moduleResolution, strict: true, noEmit: true, skipLibCheck, types: ['node'], lib: ['ES2020', 'DOM'] },
    files,
  }
  writeFileSync(path.join(project, `tsconfig.${name}.json`), JSON.stringify(tsconfig))
  run(bin('tsc'), ['-p', `tsconfig.${name}.json`], project)
}, 120_000)
