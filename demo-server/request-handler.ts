/**
 * One request's way through the server: routing, injected faults, latency,
 * and for writes the idempotency core of `miniprogram-offline/server`
 * around the route, in SQLite transactional mode.
 *
 * A write with a key goes: read and decode the body -> claim the key (or
 * replay / 409 / 422) -> wait `latencyMs` (the key is in progress meanwhile)
 * -> maybe an injected 503 (key released) -> prepare (e.g. write the photo
 * file) -> apply and store the answer in one transaction -> maybe drop the
 * connection instead of answering (the write stays applied) -> answer.
 */
import type { IncomingMessage, ServerResponse } from 'http'
import type Database from 'better-sqlite3'
import type { IdempotencyCore } from '../sdk/server'
import { errorAnswer, HttpError, type JsonAnswer } from './answers'
import type { Faults, FaultDraw } from './faults'
import { BodyAbortedError, MAX_BODY_BYTES, readBody, sendAnswer } from './http-io'
import type { Naps } from './naps'
import { decodePayload } from './payload'
import type { PreparedWrite, RawAnswer, ReadRoute, RouteContext, RouteRequest, Router, WriteRoute } from './router'
import type { DemoServerStats } from './stats'

/** What the handler needs from the server around it. */
export interface RequestHandlerDeps {
  router: Router
  context: RouteContext
  /** The idempotency core over the demo database's SQLite store. */
  idempotency: IdempotencyCore
  faults: Faults
  stats: DemoServerStats
  naps: Naps
  log: (line: string) => void
  /** The idempotency header's name, lower case. */
  keyHeader: string
  /** True once `close()` began: work stops where a crash would stop it. */
  isClosing: () => boolean
}

const NO_FAULT: FaultDraw = { fail: false, drop: false }
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/** The JSON text of an answer, as bytes. */
function jsonBytes(answer: JsonAnswer): Buffer {
  return Buffer.from(JSON.stringify(answer.body), 'utf8')
}

/** Creates the function that handles each request; it never rejects. */
export function createRequestHandler(deps: RequestHandlerDeps): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { router, context, idempotency, faults, stats, naps, log, keyHeader, isClosing } = deps

  return async function handle(incoming, response) {
    const started = Date.now()
    stats.requests += 1
    const method = (incoming.method ?? 'GET').toUpperCase()
    const url = new URL(incoming.url ?? '/', 'http://demo.invalid')
    let key: string | undefined

    const report = (status: number | 'dropped', what: string): void =>
      log(`${method} ${url.pathname}${url.search} -> ${status}${what ? ` ${what}` : ''}${key ? ` key=${key}` : ''} (${Date.now() - started} ms)`)

    /** Answers, or loses the answer when the dice said drop. */
    const answer = (draw: FaultDraw, raw: RawAnswer, what: string): void => {
      if (draw.drop) {
        stats.dropped += 1
        report('dropped', `${what} (answer ${raw.status} lost)`)
        incoming.socket.destroy()
        return
      }
      sendAnswer(response, raw.status, raw.headers, raw.body)
      report(raw.status, what)
    }

    try {
      if (method === 'OPTIONS') {
        sendAnswer(
          response,
          204,
          { 'access-control-allow-methods': 'GET, POST, PUT', 'access-control-allow-headers': `content-type, authorization, ${keyHeader}` },
          Buffer.alloc(0),
        )
        return
      }
      const match = router.match(method, url.pathname)
      if (match.kind !== 'found') {
        const raw =
          match.kind === 'none'
            ? { status: 404, headers: JSON_TYPE, body: jsonBytes(errorAnswer(404, 'not found', { path: url.pathname })) }
            : { status: 405, headers: { ...JSON_TYPE, allow: match.allowed.join(', ') }, body: jsonBytes(errorAnswer(405, 'method not allowed')) }
        answer(NO_FAULT, raw, '')
        return
      }
      const { route, params } = match
      const knobs = faults.get()
      // Dice are rolled at arrival, and only for requests that can meet faults, so the
      // sequence of faults depends only on the order of those requests.
      const faultable = route.control !== true && (route.method !== 'GET' || knobs.faultReads)
      // `X-Demo-Fail` asks for the injected 503 on purpose (the conformance kit's --fail-header).
      const draw = incoming.headers['x-demo-fail'] !== undefined && route.control !== true ? { fail: true, drop: false } : faultable ? faults.draw() : NO_FAULT
      const latencyMs = route.control === true ? 0 : knobs.latencyMs
      const request: RouteRequest = { method, path: url.pathname, query: url.searchParams, params, headers: incoming.headers }

      if (route.method === 'GET') {
        await read(route, request, draw, latencyMs)
        return
      }
      await write(route, request, draw, latencyMs)
    } catch (error) {
      if (error instanceof BodyAbortedError) {
        report('dropped', 'client went away mid-body')
        return
      }
      stats.failed += 1
      const raw = { status: 500, headers: JSON_TYPE, body: jsonBytes(errorAnswer(500, 'internal error')) }
      if (!isClosing()) answer(NO_FAULT, raw, `error: ${error instanceof Error ? error.message : String(error)}`)
    }

    async function read(route: ReadRoute, request: RouteRequest, draw: FaultDraw, latencyMs: number): Promise<void> {
      await naps.sleep(latencyMs)
      if (isClosing()) return
      if (draw.fail) {
        stats.injected5xx += 1
        answer(NO_FAULT, { status: 503, headers: JSON_TYPE, body: jsonBytes(errorAnswer(503, 'injected failure')) }, 'injected')
        return
      }
      answer(draw, await route.read(request, context), '')
    }

    async function write(route: WriteRoute, request: RouteRequest, draw: FaultDraw, latencyMs: number): Promise<void> {
      const raw = await readBody(incoming, MAX_BODY_BYTES)
      if (isClosing()) return
      if (raw === undefined) {
        // Not stored: the body was never fully read, so there is no payload to compare a retry with.
        const tooLarge = errorAnswer(413, `the body is larger than ${MAX_BODY_BYTES} bytes`)
        answer(NO_FAULT, { status: 413, headers: { ...JSON_TYPE, connection: 'close' }, body: jsonBytes(tooLarge) }, 'too large')
        return
      }
      const payload = await decodePayload(incoming.headers, raw)
      if (isClosing()) return
      const now = Date.now()
      const decision = await idempotency.begin({ method, path: `${url.pathname}${url.search}`, headers: incoming.headers, body: payload })
      if (decision.kind === 'answer') {
        const { reason, answer: stored } = decision
        if (reason === 'invalid-key') {
          answer(NO_FAULT, { status: 400, headers: stored.headers, body: stored.body }, 'bad key')
          return
        }
        await naps.sleep(latencyMs)
        if (isClosing()) return
        if (reason === 'replay') stats.repeatsReplayed += 1
        else if (reason === 'in-progress') stats.inProgress409 += 1
        else if (reason === 'mismatch') stats.mismatch422 += 1
        answer(draw, { status: stored.status, headers: stored.headers, body: stored.body }, reason === 'replay' ? 'replayed' : reason)
        return
      }
      const held = decision.held
      key = held.key
      if (key === undefined) stats.withoutKey += 1

      // From here the key (if any) is held: every way out must store an answer or release it,
      // except a close, which leaves it as a crash would (the next start releases it).
      let settled = false
      try {
        await naps.sleep(latencyMs)
        if (isClosing()) {
          settled = true
          return
        }
        if (draw.fail) {
          stats.injected5xx += 1
          answer(NO_FAULT, { status: 503, headers: JSON_TYPE, body: jsonBytes(errorAnswer(503, 'injected failure')) }, 'injected, not applied')
          return
        }
        let prepared: PreparedWrite
        try {
          prepared = await route.prepare({ ...request, payload, idempotencyKey: key ?? null, now }, context)
        } catch (error) {
          if (!(error instanceof HttpError)) throw error
          // A refusal found while preparing is stored like one found while applying.
          prepared = {
            apply: () => {
              throw error
            },
          }
        }
        if (isClosing()) {
          settled = true
          return
        }
        settled = true
        let outcome: Awaited<ReturnType<typeof held.transaction>>
        let failure: unknown
        try {
          // The route's rows, the key and its answer commit in one SQLite transaction; the route runs
          // in a savepoint so that a refusal (HttpError) rolls back its partial rows and is stored as the answer.
          outcome = await held.transaction((db: Database.Database) => {
            try {
              return db.transaction(() => prepared.apply())()
            } catch (error) {
              if (error instanceof HttpError) return error.toAnswer()
              throw error
            }
          })
        } catch (error) {
          failure = error
          const failed = errorAnswer(500, 'internal error')
          outcome = { settlement: 'not-stored', answer: { status: 500, headers: JSON_TYPE, body: jsonBytes(failed) } }
        }
        const status = outcome.answer.status
        const stored = outcome.settlement === 'stored' || (key === undefined && status < 500)
        if (!stored) await prepared.discard?.()
        if (status >= 500) stats.failed += 1
        else if (status >= 400) stats.rejected += 1
        else stats.applied += 1
        const what = failure !== undefined ? `error: ${String(failure)}` : stored ? (status < 400 ? 'applied' : 'refused') : 'not stored'
        answer(draw, { status, headers: outcome.answer.headers, body: outcome.answer.body }, what)
      } finally {
        if (!settled && !isClosing()) await held.release()
      }
    }
  }
}
