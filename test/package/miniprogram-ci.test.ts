import { cpSync, existsSync, readFileSync, writeFileSync } from 'fs'
import * as path from 'path'
import { generateKeyPairSync } from 'crypto'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'
import { makeTemp, packTarball, removeTemp, ROOT, run } from './packed-package'
import { startTestServer, type TestServer } from '../support/test-server'
import { waitUntil } from '../support/offline-harness'

/**
 * WeChat's own toolchain on the packed tarball: the demo mini-program
 * installs it, miniprogram-ci builds its npm (工具 → 构建 npm) and runs its
 * offline code analysis and quality check; then the built
 * `miniprogram_npm/miniprogram-offline` is loaded with the emulator as `wx`
 * and used.
 */

// miniprogram-ci's own typings are not needed for these few calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ci = require('miniprogram-ci') as {
  packNpmManually(options: { packageJsonPath: string; miniprogramNpmDistDir: string }): Promise<unknown>
  Project: new (options: object) => object
  analyseCode(project: object): Promise<{ files: Array<{ path: string }>; modules: Array<{ id: string; deps?: string[] }> }>
  checkCodeQuality(project: object): Promise<Array<{ name: string; success: boolean }>>
}

let folder: string
let app: string
let npmOutput: string

beforeAll(async () => {
  folder = makeTemp('mp-ci')
  const tarball = packTarball(folder)
  app = path.join(folder, 'project')
  cpSync(path.join(ROOT, 'demo-miniprogram'), path.join(app, 'miniprogram'), {
    recursive: true,
    filter: (source) => !source.includes('miniprogram_npm') && !source.includes('node_modules'),
  })
  const manifest = JSON.parse(readFileSync(path.join(app, 'miniprogram/package.json'), 'utf8'))
  manifest.dependencies['miniprogram-offline'] = `file:${tarball}`
  writeFileSync(path.join(app, 'miniprogram/package.json'), JSON.stringify(manifest, null, 2))
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], path.join(app, 'miniprogram'))
  const config = JSON.parse(readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'))
  config.miniprogramRoot = 'miniprogram/'
  config.setting.packNpmRelationList = [{ packageJsonPath: './miniprogram/package.json', miniprogramNpmDistDir: './miniprogram/' }]
  writeFileSync(path.join(app, 'project.config.json'), JSON.stringify(config, null, 2))
  await ci.packNpmManually({ packageJsonPath: path.join(app, 'miniprogram/package.json'), miniprogramNpmDistDir: path.join(app, 'miniprogram') })
  npmOutput = path.join(app, 'miniprogram/miniprogram_npm/miniprogram-offline')
}, 300_000)

afterAll(() => removeTemp(folder))

/** A project as miniprogram-ci opens it; the key is a throwaway (the offline checks never use it). */
function project(): object {
  const keyPath = path.join(folder, 'private.key')
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }))
  }
  return new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: app, privateKeyPath: keyPath, ignores: ['node_modules/**/*', 'miniprogram/node_modules/**/*'] })
}

test('构建 npm puts the minified core and the components into miniprogram_npm', () => {
  for (const file of ['index.js', 'components/index.js', 'components/offline-bar/index.wxml', 'components/sync-center/index.js']) {
    expect(existsSync(path.join(npmOutput, file))).toBe(true)
  }
  // Minified: no line of the core is longer than it would be in readable code... or rather, it is one long line.
  expect(readFileSync(path.join(npmOutput, 'index.js'), 'utf8').split('\n').length).toBeLessThan(5)
})

test('analyseCode resolves the pages to the shipped components and the core', async () => {
  const analysis = await ci.analyseCode(project())
  const files = analysis.files.map((file) => file.path)
  expect(files).toEqual(
    expect.arrayContaining([
      'miniprogram_npm/miniprogram-offline/index.js',
      'miniprogram_npm/miniprogram-offline/components/offline-bar/index.js',
      'miniprogram_npm/miniprogram-offline/components/sync-center/index.wxml',
    ]),
  )
  const components = analysis.modules.filter((module) => module.id.startsWith('Component:')).map((module) => module.id)
  expect(components).toEqual(
    expect.arrayContaining([expect.stringContaining('miniprogram_npm/miniprogram-offline/components/offline-bar/index'), expect.stringContaining('miniprogram_npm/miniprogram-offline/components/sync-center/index')]),
  )
}, 120_000)

test('checkCodeQuality passes the package-size and compression checks', async () => {
  const checks = await ci.checkCodeQuality(project())
  const byName = new Map(checks.map((check) => [check.name, check.success]))
  expect(byName.get('PACKAGE_SIZE_LIMIT')).toBe(true)
  expect(byName.get('JS_COMPRESS_OPEN')).toBe(true)
}, 120_000)

describe('the built miniprogram_npm, loaded with the emulator as wx', () => {
  let emu: WxEmulator
  let server: TestServer
  const globals = globalThis as unknown as { wx?: unknown }

  beforeEach(async () => {
    emu = createWxEmulator()
    server = await startTestServer()
    globals.wx = emu.wx
  })

  afterEach(async () => {
    delete globals.wx
    await server.close()
    await emu.dispose()
  })

  test('queues offline and delivers once online; the components share its error classes', async () => {
    const core = require(path.join(npmOutput, 'index.js'))
    const provider = require(path.join(npmOutput, 'components/offline-provider.js'))
    emu.setOnline(false)
    const offline = core.createOffline({ namespace: 'built-npm' })
    await offline.ready
    const result = await offline.request({ url: `${server.url}/visits`, method: 'POST', data: { n: 1 } })
    expect(result.status).toBe('queued')
    expect(() => provider.provideOffline({})).toThrow(core.InvalidArgumentError)
    provider.provideOffline(offline)
    expect(provider.providedOffline()).toBe(offline)
    emu.setOnline(true)
    await waitUntil(() => offline.status.get().pending === 0, 'delivered')
    expect(server.applied.map((request) => request.body)).toEqual([{ n: 1 }])
    offline.close()
  })
})
