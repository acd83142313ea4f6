/**
 * Routes and how a path finds one. A read route answers at once; a write
 * route is prepared (work outside the database, such as writing a photo's
 * bytes) and then applied inside the idempotency layer's transaction.
 */
import type { IncomingHttpHeaders } from 'http'
import type { JsonAnswer } from './answers'
import type { DemoDatabase } from './database'
import type { Payload } from './payload'

/** What every route gets. */
export interface RouteContext {
  db: DemoDatabase
  /** Where the SQLite file and the `photos/` directory live. */
  dataDir: string
}

/** A request as routes see it. */
export interface RouteRequest {
  method: string
  /** The path without the query string. */
  path: string
  query: URLSearchParams
  /** Values of the pattern's `:name` segments, and `*` for a trailing wildcard. */
  params: Record<string, string>
  headers: IncomingHttpHeaders
}

/** A write request: its decoded payload and the key the rows it makes will record. */
export interface WriteRequest extends RouteRequest {
  payload: Payload
  /** The `Idempotency-Key`, or `null` when sent without one. */
  idempotencyKey: string | null
  /** Ms since the epoch at arrival. */
  now: number
}

/** Any answer, as bytes. */
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** A write made ready to apply. */
export interface PreparedWrite {
  /**
   * Makes the database writes and returns the answer. Runs inside the
   * transaction that also stores the answer with the key; throw an
   * `HttpError` to refuse with a 4xx (its partial writes are rolled back).
   */
  apply(): JsonAnswer
  /** Undoes the preparation (e.g. deletes a written file) when the write was not applied. */
  discard?(): Promise<void>
}

interface RouteBase {
  /** `/visits/:id/status`: `:name` matches one segment; a trailing `/*` matches the rest. */
  pattern: string
  /** One line for the route list `npm run demo:server` prints. */
  summary: string
  /** Control routes (health, admin) see no latency and no injected faults. */
  control?: boolean
}

/** A GET route. */
export interface ReadRoute extends RouteBase {
  method: 'GET'
  read(request: RouteRequest, context: RouteContext): RawAnswer | Promise<RawAnswer>
}

/** A POST or PUT route: it goes through the idempotency layer. */
export interface WriteRoute extends RouteBase {
  method: 'POST' | 'PUT'
  /** Validates and prepares; throw an `HttpError` to refuse with a 4xx (stored with the key). */
  prepare(request: WriteRequest, context: RouteContext): PreparedWrite | Promise<PreparedWrite>
}

/** A route of the demo server. */
export type Route = ReadRoute | WriteRoute

/** What {@link Router.match} found. */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  /** The path exists, but not for this method. */
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' }

interface CompiledRoute {
  route: Route
  regex: RegExp
  names: string[]
}

function compile(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        names.push('*')
        return '(.+)'
      }
      // `:name` may be followed by literal text, as in `/static/:name.png`.
      return segment.replace(/:([A-Za-z]+)|([^:]+)/g, (_, name: string | undefined, literal: string | undefined) => {
        if (name !== undefined) {
          names.push(name)
          return '([^/]+?)'
        }
        return (literal ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      })
    })
    .join('/')
  return { route, regex: new RegExp(`^${source}$`), names }
}

/** Finds the route for a method and path. */
export class Router {
  private readonly compiled: CompiledRoute[]

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map(compile)
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = []
    for (const { route, regex, names } of this.compiled) {
      const found = regex.exec(path)
      if (!found) continue
      if (route.method !== method) {
        allowed.push(route.method)
        continue
      }
      const params: Record<string, string> = {}
      try {
        names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])))
      } catch {
        continue // a malformed %-escape names nothing
      }
      return { kind: 'found', route, params }
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' }
  }
}

/** A JSON {@link RawAnswer}. */
export function jsonRaw(status: number, body: unknown): RawAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(body), 'utf8') }
}
