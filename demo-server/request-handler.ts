/**
 * One request's way through the server: routing, injected faults, latency,
 * and for writes the idempotency layer around the route.
 *
 * A write with a key goes: read and decode the body -> claim the key (or
 * replay / 409 / 422) -> wait `latencyMs` (the key is in progress meanwhile)
 * -> maybe an injected 503 (key released) -> prepare (e.g. write the photo
 * file) -> apply and store the answer in one transaction -> maybe drop the
 * connection instead of answering (the write stays applied) -> answer.
 */
import type { IncomingMessage, ServerResponse } from 'http'
import { errorAnswer, HttpError, type JsonAnswer } from './answers'
import type { Faults, FaultDraw } from './faults'
import { BodyAbortedError, MAX_BODY_BYTES, readBody, sendAnswer } from './http-io'
import { IN_PROGRESS_ANSWER, MISMATCH_ANSWER, REPLAYED_HEADER, isValidKey, type IdempotencyStore } from './idempotency'
import type { Naps } from './naps'
import { decodePayload, requestHash } from './payload'
import type { PreparedWrite, RawAnswer, ReadRoute, RouteContext, RouteRequest, Router, WriteRoute } from './router'
import type { DemoServerStats } from './stats'

/** What the handler needs from the server around it. */
export interface RequestHandlerDeps {
  router: Router
  context: RouteContext
  idempotency: IdempotencyStore
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
      const draw = faultable ? faults.draw() : NO_FAULT
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
      const header = incoming.headers[keyHeader]
      if (header !== undefined) {
        if (Array.isArray(header) || !isValidKey(header)) {
          const invalid = errorAnswer(400, `invalid ${keyHeader} header: 1 to 255 visible ASCII characters, sent once`)
          answer(NO_FAULT, { status: 400, headers: JSON_TYPE, body: jsonBytes(invalid) }, 'bad key')
          return
        }
        key = header
      }
      const now = Date.now()

      if (key === undefined) stats.withoutKey += 1
      else {
        const claim = idempotency.claim(key, requestHash(method, `${url.pathname}${url.search}`, payload), now)
        if (claim.kind !== 'claimed') {
          await naps.sleep(latencyMs)
          if (isClosing()) return
          if (claim.kind === 'replay') {
            stats.repeatsReplayed += 1
            const headers = { ...JSON_TYPE, [REPLAYED_HEADER.toLowerCase()]: 'true' }
            answer(draw, { status: claim.answer.status, headers, body: Buffer.from(claim.answer.bodyText, 'utf8') }, 'replayed')
          } else if (claim.kind === 'in-progress') {
            stats.inProgress409 += 1
            answer(draw, { status: 409, headers: JSON_TYPE, body: jsonBytes(IN_PROGRESS_ANSWER) }, 'in progress')
          } else {
            stats.mismatch422 += 1
            answer(draw, { status: 422, headers: JSON_TYPE, body: jsonBytes(MISMATCH_ANSWER) }, 'payload mismatch')
          }
          return
        }
      }

      // From here the key (if any) is claimed: every way out must store an answer or release it,
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
        const committed = idempotency.commit(key, () => prepared.apply())
        settled = true
        if (!committed.stored) await prepared.discard?.()
        const status = committed.answer.status
        if (status >= 500) stats.failed += 1
        else if (status >= 400) stats.rejected += 1
        else stats.applied += 1
        const what = committed.error !== undefined ? `error: ${String(committed.error)}` : committed.stored ? (status < 400 ? 'applied' : 'refused') : 'not stored'
        answer(draw, { status, headers: JSON_TYPE, body: Buffer.from(committed.bodyText, 'utf8') }, what)
      } finally {
        if (!settled && key !== undefined && !isClosing()) idempotency.release(key)
      }
    }
  }
}
