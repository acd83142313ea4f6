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

/** What test/package/run-miniprogram-ci.js reports. */
interface CiReport {
  files: string[]
  components: string[]
  quality: Array<{ name: string; success: boolean }>
}

let folder: string
let app: string
let npmOutput: string
let report: CiReport

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
  // A throwaway key: the offline checks never use it, but a project needs one.
  const keyPath = path.join(folder, 'private.key')
  writeFileSync(keyPath, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }))
  const output = run('node', [path.join(__dirname, 'run-miniprogram-ci.js'), app, 'miniprogram/', keyPath], ROOT)
  report = JSON.parse(output.trim().split('\n').pop() as string) as CiReport
  npmOutput = path.join(app, 'miniprogram/miniprogram_npm/miniprogram-offline')
}, 300_000)

afterAll(() => removeTemp(folder))

test('构建 npm puts the minified core and the components into miniprogram_npm', () => {
  for (const file of ['index.js', 'components/index.js', 'components/offline-bar/index.wxml', 'components/sync-center/index.js']) {
    expect(existsSync(path.join(npmOutput, file))).toBe(true)
  }
  // Minified: the core is a line or two, not thousands.
  expect(readFileSync(path.join(npmOutput, 'index.js'), 'utf8').split('\n').length).toBeLessThan(5)
})

test('analyseCode resolves the pages to the shipped components and the core', () => {
  expect(report.files).toEqual(
    expect.arrayContaining([
      'miniprogram_npm/miniprogram-offline/index.js',
      'miniprogram_npm/miniprogram-offline/components/offline-bar/index.js',
      'miniprogram_npm/miniprogram-offline/components/sync-center/index.wxml',
    ]),
  )
  expect(report.components).toEqual(
    expect.arrayContaining([expect.stringContaining('miniprogram_npm/miniprogram-offline/components/offline-bar/index'), expect.stringContaining('miniprogram_npm/miniprogram-offline/components/sync-center/index')]),
  )
})

test('checkCodeQuality passes the package-size and compression checks', () => {
  const byName = new Map(report.quality.map((check) => [check.name, check.success]))
  expect(byName.get('PACKAGE_SIZE_LIMIT')).toBe(true)
  expect(byName.get('JS_COMPRESS_OPEN')).toBe(true)
})

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
