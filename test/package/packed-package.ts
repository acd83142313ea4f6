/**
 * The package as npm ships it: built (if `dist/` is missing), packed with
 * `npm pack` into a temp folder, and installed from that tarball into temp
 * projects, so the tests see what a user gets, not the repo.
 */
import { execFileSync } from 'child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs'
import * as os from 'os'
import * as path from 'path'

export const ROOT = path.join(__dirname, '../..')
const BIN = path.join(ROOT, 'node_modules/.bin')

/** Outputs a build must have; a missing one means build first. */
const REQUIRED = ['dist/index.mjs', 'dist/index.cjs', 'dist/testing.d.cts', 'miniprogram_dist/index.js', 'miniprogram_dist/components/offline-bar/index.js']

/** Runs a command, returning its stdout; throws with stdout and stderr on failure. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`)
  }
}

/** A tool from the repo's devDependencies. */
export function bin(name: string): string {
  return path.join(BIN, name)
}

/** Builds with `npm run build` unless every output is already there. */
export function ensureBuilt(): void {
  const needsServer = existsSync(path.join(ROOT, 'sdk/server/index.ts'))
  const required = needsServer ? [...REQUIRED, 'dist/server.mjs'] : REQUIRED
  if (required.every((file) => existsSync(path.join(ROOT, file)))) return
  run('npm', ['run', 'build', '--silent'], ROOT)
}

/** A fresh temp folder, removed by `removeTemp`. */
export function makeTemp(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mpo-${label}-`))
}

export function removeTemp(folder: string | undefined): void {
  if (folder) rmSync(folder, { recursive: true, force: true })
}

/** Builds if needed and packs the repo into `folder`; returns the tarball's path. */
export function packTarball(folder: string): string {
  ensureBuilt()
  const name = run('npm', ['pack', '--pack-destination', folder, '--silent'], ROOT).trim().split('\n').pop() as string
  return path.join(folder, name)
}

/** The tarball's file list, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return run('tar', ['-tzf', tarball], ROOT)
    .split('\n')
    .filter(Boolean)
    .map((file) => file.replace(/^package\//, ''))
}

/**
 * A temp project (`package.json` of `type`) with the tarball installed from
 * disk: it has no dependencies, so npm needs no registry.
 */
export function installTarball(project: string, tarball: string, type: 'commonjs' | 'module' = 'commonjs'): void {
  mkdirSync(project, { recursive: true })
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type }))
  run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], project)
}

/** Links packages from the repo's node_modules into a temp project (peer and type packages npm would fetch). */
export function linkFromRepo(project: string, names: string[]): void {
  for (const name of names) {
    const link = path.join(project, 'node_modules', name)
    if (existsSync(link)) continue
    mkdirSync(path.dirname(link), { recursive: true })
    symlinkSync(path.join(ROOT, 'node_modules', name), link, 'dir')
  }
}

/** Files of a folder, recursively, relative to it. */
export function listFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort()
}
