/**
 * Several app instances (child processes) behind a round-robin loopback
 * proxy, for the multi-instance test. Instances can be SIGKILLed at any
 * moment and are restarted on a new port; the proxy answers 502 for a
 * request whose instance died (the SDK retries 5xx).
 */
import { spawn, type ChildProcess } from 'child_process'
import * as http from 'http'
import type { AddressInfo } from 'net'
import * as path from 'path'

/** A running instance. */
interface Instance {
  child: ChildProcess
  port: number
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  instances: number
  env: Record<string, string>
}

/** A running cluster. */
export interface AppCluster {
  /** The proxy's base URL. */
  url: string
  /** Keys and bodies of every write the proxy forwarded (to replay duplicates from). */
  writes: Array<{ key: string; body: Buffer }>
  /** SIGKILLs one running instance (round robin); its replacement starts in the background. */
  killOne(): Promise<void>
  /** Instances that died so far (killed, or by their own hand). */
  kills(): number
  /** Requests whose instance died before answering (answered 502 or cut by the proxy). */
  cut(): number
  /** Resolves once every dead instance has been replaced. */
  settled(): Promise<void>
  stop(): Promise<void>
}

const ENTRY = path.join(__dirname, 'instance', 'instance-main.ts')

function startInstance(env: Record<string, string>): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ENTRY], {
      env: { ...process.env, ...env, TS_NODE_PROJECT: path.join(__dirname, 'instance', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let errors = ''
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    child.stdout?.on('data', (chunk: Buffer) => {
      const found = /listening (\d+)/.exec(chunk.toString())
      if (found) resolve({ child, port: Number(found[1]) })
    })
    child.once('exit', (code) => reject(new Error(`instance exited (${code}) before listening: ${errors}`)))
  })
}

/** Starts the instances and the proxy. */
export async function startCluster(options: ClusterOptions): Promise<AppCluster> {
  const live: Instance[] = await Promise.all(Array.from({ length: options.instances }, () => startInstance(options.env)))
  const writes: Array<{ key: string; body: Buffer }> = []
  let next = 0
  let killed = 0
  let cut = 0
  let stopping = false

  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const key = req.headers['idempotency-key']
      if (typeof key === 'string' && req.method === 'POST') writes.push({ key, body })
      // Round robin over the instances still running; a dead one waits for its replacement.
      const running = live.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null)
      const target = running.length > 0 ? running[next++ % running.length] : live[next++ % live.length]
      const forward = http.request(
        { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
          answer.on('error', () => res.destroy())
        },
      )
      forward.on('error', () => {
        cut += 1
        if (res.headersSent) res.destroy()
        else {
          res.writeHead(502, { 'content-type': 'application/json' })
          res.end('{"error":"instance went away"}')
        }
      })
      forward.end(body)
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()))

  const restarts = new Set<Promise<void>>()
  /** Replaces an instance whenever it dies (killed from here, or by its own hand). */
  const watch = (instance: Instance): void => {
    instance.child.once('exit', () => {
      if (stopping) return
      killed += 1
      const restart = startInstance(options.env).then((replacement) => {
        if (stopping) replacement.child.kill('SIGKILL')
        else {
          live[live.indexOf(instance)] = replacement
          watch(replacement)
        }
      })
      restarts.add(restart)
      void restart.finally(() => restarts.delete(restart))
    })
  }
  live.forEach(watch)

  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    writes,
    kills: () => killed,
    cut: () => cut,
    async settled() {
      while (restarts.size > 0) await Promise.allSettled([...restarts])
    },
    async killOne() {
      const running = (instance: Instance): boolean => instance.child.exitCode === null && instance.child.signalCode === null
      if (!live.some(running)) await Promise.all([...restarts])
      const victim = live.find(running)
      if (victim === undefined) return
      const exited = new Promise((resolve) => victim.child.once('exit', resolve))
      victim.child.kill('SIGKILL')
      await exited
    },
    async stop() {
      stopping = true
      await Promise.allSettled([...restarts])
      for (const instance of live) instance.child.kill('SIGKILL')
      proxy.closeAllConnections()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    },
  }
}
