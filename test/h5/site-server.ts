/**
 * The built H5 pages on 127.0.0.1, and `/api/*` passed through to an API
 * server on the same origin (no CORS to configure, as a real deployment
 * behind one host). Pages are served with a cache header, so a navigation
 * loads from the browser's cache while the browser is offline.
 *
 * `holdApi()` keeps matching API requests here, unforwarded, until released:
 * a request on the wire that has not reached the API yet. If the page goes
 * away meanwhile the request is dropped, never forwarded: the live send is
 * lost unless the client wrote it ahead.
 */
import { readFile } from 'fs/promises'
import * as http from 'http'
import type { AddressInfo } from 'net'
import { extname, join, normalize } from 'path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** API requests held by {@link SiteServer.holdApi}. */
export interface ApiHold {
  /** Paths of the requests held so far. */
  readonly held: readonly string[]
  /** Held requests whose page went away before release: never forwarded. */
  readonly dropped: number
  waitForHeld(count?: number, timeoutMs?: number): Promise<void>
  /** Forwards what is still held and stops holding. */
  release(): void
}

export interface SiteServer {
  readonly url: string
  /** Page and asset requests served, by path (API requests excluded). */
  readonly served: readonly string[]
  holdApi(match?: (path: string) => boolean): ApiHold
  close(): Promise<void>
}

interface Held {
  path: string
  forward: () => void
  gone: boolean
}

/** Serves `dir` and forwards `/api/<rest>` to `${apiUrl}/<rest>`. */
export async function startSiteServer(dir: string, apiUrl: string): Promise<SiteServer> {
  const served: string[] = []
  let hold: { match: (path: string) => boolean; queue: Held[]; held: string[]; dropped: number; waiters: Array<() => void> } | undefined

  const forward = (incoming: http.IncomingMessage, outgoing: http.ServerResponse, body: Buffer): void => {
    const target = new URL(apiUrl)
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url!.slice('/api'.length) || '/', headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    upstream.on('error', () => outgoing.destroy())
    upstream.end(body)
  }

  const serveApi = async (incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const path = incoming.url!
    if (!hold || !hold.match(path)) return forward(incoming, outgoing, body)
    const entry: Held = { path, gone: false, forward: () => forward(incoming, outgoing, body) }
    outgoing.on('close', () => {
      if (!outgoing.writableEnded && !outgoing.headersSent) entry.gone = true
    })
    hold.queue.push(entry)
    hold.held.push(path)
    hold.waiters.splice(0).forEach((wake) => wake())
  }

  const serveFile = async (incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(incoming.url!, 'http://x').pathname)
    served.push(path)
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(dir)) return void outgoing.writeHead(403).end()
    try {
      const content = await readFile(file)
      outgoing.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' })
      outgoing.end(content)
    } catch {
      // With a body: Chromium shows it as a page (tests use one to reach the origin without the app).
      outgoing.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found')
    }
  }

  const server = http.createServer((incoming, outgoing) => {
    const handle = incoming.url!.startsWith('/api/') ? serveApi : serveFile
    handle(incoming, outgoing).catch(() => outgoing.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    served,
    holdApi(match = () => true) {
      const state = { match, queue: [] as Held[], held: [] as string[], dropped: 0, waiters: [] as Array<() => void> }
      hold = state
      return {
        held: state.held,
        get dropped() {
          return state.dropped + state.queue.filter((entry) => entry.gone).length
        },
        async waitForHeld(count = 1, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs
          while (state.held.length < count) {
            if (Date.now() > deadline) throw new Error(`only ${state.held.length} of ${count} API requests were held`)
            await new Promise<void>((wake) => {
              state.waiters.push(wake)
              setTimeout(wake, 50)
            })
          }
        },
        release() {
          if (hold === state) hold = undefined
          for (const entry of state.queue.splice(0)) {
            if (entry.gone) state.dropped += 1
            else entry.forward()
          }
        },
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
