import { existsSync, statSync } from 'fs'
import { bin, makeTemp, packTarball, removeTemp, run, tarballFiles } from './packed-package'
import { TARBALL_BUDGET_BYTES } from '../../bench/bundle-size'

/**
 * The packed tarball, checked the way CI and a careful user would:
 * @arethetypeswrong/cli and publint report no problem at all, the files are
 * the ones a user needs (and no source maps or sources), and it fits its budget.
 */

let folder: string
let tarball: string

beforeAll(() => {
  folder = makeTemp('tarball')
  tarball = packTarball(folder)
}, 300_000)

afterAll(() => removeTemp(folder))

/** attw's JSON report: one problem per (entry point, resolution mode) that goes wrong. */
interface AttwReport {
  analysis: { problems: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }>; entrypoints: Record<string, unknown> }
}

test('attw finds no type problem for any entry under node10, node16 (CJS and ESM) or bundler', () => {
  let output: string
  try {
    output = run(bin('attw'), [tarball, '--format', 'json', '--profile', 'strict'], folder)
  } catch (error) {
    throw new Error(`attw reported problems:\n${(error as Error).message}`)
  }
  const report = JSON.parse(output) as AttwReport
  expect(report.analysis.problems).toEqual([])
  const entries = Object.keys(report.analysis.entrypoints)
  expect(entries).toEqual(expect.arrayContaining(['.', './testing', './uni', './components/index', './package.json']))
  if (existsSync('sdk/server/index.ts')) expect(entries).toContain('./server')
}, 60_000)

test('publint reports no error, warning or suggestion', () => {
  const output = run(bin('publint'), ['run', tarball, '--level', 'suggestion', '--strict'], folder)
  expect(output).not.toMatch(/Errors:|Warnings:|Suggestions:/)
  expect(output).toMatch(/All good/)
}, 60_000)

test('the tarball ships the builds, the components, the licence and the changelog; no source maps or sources', () => {
  const files = tarballFiles(tarball)
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      ...['index', 'testing', 'uni'].flatMap((name) => [`dist/${name}.mjs`, `dist/${name}.cjs`, `dist/${name}.d.mts`, `dist/${name}.d.cts`]),
      'dist/components.mjs',
      'dist/components.cjs',
      'dist/components.d.mts',
      'dist/components.d.cts',
      'miniprogram_dist/index.js',
      'miniprogram_dist/components/index.js',
      ...['offline-bar', 'sync-center'].flatMap((name) => ['js', 'json', 'wxml', 'wxss'].map((ext) => `miniprogram_dist/components/${name}/index.${ext}`)),
    ]),
  )
  expect(files.filter((file) => file.endsWith('.map'))).toEqual([])
  expect(files.filter((file) => /^(sdk|test|bench|demo-|docs)\b/.test(file) || file.endsWith('.ts') && !file.endsWith('.d.mts') && !file.endsWith('.d.cts'))).toEqual([])
})

test('the packed tarball fits its budget', () => {
  expect(statSync(tarball).size).toBeLessThanOrEqual(TARBALL_BUDGET_BYTES)
})
