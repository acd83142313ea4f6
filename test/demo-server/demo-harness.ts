/**
 * Helpers for the demo server's tests: servers and temp directories that
 * `afterEach` cleans up, and small fetch wrappers.
 */
import { mkdtempSync, rmSync } from 'fs'
import * as os from 'os'
import * as path from 'path'
import { startDemoServer, type DemoServer, type DemoServerOptions } from '../../demo-server'

const servers: DemoServer[] = []
const dirs: string[] = []

/** Starts a demo server that {@link cleanUp} closes. */
export async function startServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const server = await startDemoServer(options)
  servers.push(server)
  return server
}

/** A temp data directory that {@link cleanUp} removes (for restart tests). */
export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-server-test-'))
  dirs.push(dir)
  return dir
}

/** Closes every server and removes every temp directory; call in `afterEach`. */
export async function cleanUp(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** An answer read whole. */
export interface Reply {
  status: number
  headers: Headers
  /** Parsed JSON, or `undefined` for a non-JSON body. */
  json: unknown
  bytes: Buffer
  replayed: boolean
}

async function toReply(response: Response): Promise<Reply> {
  const bytes = Buffer.from(await response.arrayBuffer())
  let json: unknown
  if ((response.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8'))
  return { status: response.status, headers: response.headers, json, bytes, replayed: response.headers.get('idempotent-replayed') === 'true' }
}

/** Sends JSON with an optional `Idempotency-Key`. */
export async function send(server: DemoServer, method: 'POST' | 'PUT', path: string, body: unknown, key?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== undefined) headers['idempotency-key'] = key
  return toReply(await fetch(`${server.url}${path}`, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) }))
}

/** Uploads `bytes` as multipart, the way `wx.uploadFile` does (a new boundary on every call). */
export async function upload(server: DemoServer, bytes: Uint8Array, options: { key?: string; field?: string; fields?: Record<string, string>; filename?: string; type?: string } = {}): Promise<Reply> {
  const form = new FormData()
  for (const [name, value] of Object.entries(options.fields ?? {})) form.append(name, value)
  form.append(options.field ?? 'file', new Blob([bytes], { type: options.type ?? 'image/png' }), options.filename ?? 'photo.png')
  const headers: Record<string, string> = {}
  if (options.key !== undefined) headers['idempotency-key'] = options.key
  return toReply(await fetch(`${server.url}/photos`, { method: 'POST', headers, body: form }))
}

/** GETs a path. */
export async function get(server: DemoServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return toReply(await fetch(`${server.url}${path}`, { headers }))
}

/** A visit body for customer `c01`. */
export function visitBody(notes = '货架已补齐'): { customerId: string; notes: string; at: string } {
  return { customerId: 'c01', notes, at: '2024-06-01T10:00:00.000Z' }
}

/** Resolves once `check` is true, polling every few ms. */
export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
