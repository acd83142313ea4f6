/**
 * A throwaway PostgreSQL 15 cluster for one test file: `initdb` in a temp
 * directory owned by `postgres` (initdb and postgres refuse to run as root),
 * listening on a free loopback port, removed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process'
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'fs'
import * as os from 'os'
import * as path from 'path'
import { requireBinary } from './binaries'
import { freePort } from './free-port'

/** A running cluster. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

const HINT = 'apt-get install postgresql-15'

function asPostgres(binary: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', binary, ...args] : [binary, ...args]
}

function uidOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim())
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim())
  return { uid, gid }
}

async function waitForReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const isReady = requireBinary('pg_isready', HINT)
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`)
    try {
      execFileSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-q'])
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`postgres did not accept connections on ${port} within 20 s: ${log()}`)
}

/** Starts a cluster. @throws naming `initdb`/`postgres` when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PostgresServer> {
  const initdb = requireBinary('initdb', HINT)
  const postgres = requireBinary('postgres', HINT)
  const root = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'))
  const dataDir = path.join(root, 'data')
  if (process.getuid?.() === 0) {
    const { uid, gid } = uidOf('postgres')
    chownSync(root, uid, gid)
  }
  const [initCmd, ...initArgs] = asPostgres(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  execFileSync(initCmd, initArgs, { stdio: 'pipe' })
  const port = await freePort()
  const serverArgs = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', root, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200']
  const [cmd, ...args] = asPostgres(postgres, serverArgs)
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  await waitForReady(port, child, () => output)
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        // The postmaster itself, not runuser (which does not pass signals on); SIGQUIT is immediate shutdown.
        const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
        process.kill(pid, 'SIGQUIT')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(root, { recursive: true, force: true })
    },
  }
}
