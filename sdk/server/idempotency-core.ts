/**
 * The framework-free core: one call before the handler decides whether the
 * request runs, and the held key it returns stores the answer after. The
 * Express, Koa and `node:http` adapters are thin layers over it; use it
 * directly from Fastify hooks or any other server.
 *
 * The rules follow the IETF httpapi "The Idempotency-Key HTTP Header Field"
 * draft and Stripe's idempotent requests:
 * - no key: pass through, or 400 when `required`;
 * - a new key: claimed (in progress) in one store round trip, then the
 *   handler runs, then its answer is stored in one more;
 * - a repeat of a finished request: the stored answer, replayed exactly,
 *   with `Idempotent-Replayed: true`; the handler does not run;
 * - a repeat while the first still runs: 409 with `Retry-After`;
 * - the key with another fingerprint (method, path, body): 422;
 * - a 5xx answer, a throw or a lost connection: nothing stored, the key is
 *   released and the retry runs afresh; a crash: the claim frees after its
 *   lease.
 */
import { randomUUID } from 'crypto'
import { InvalidArgumentError } from '../errors'
import { errorAnswer, pickHeaders, toStoredAnswer, type AnswerInit } from './answer-init'
import { defaultFingerprint, sha256 } from './fingerprint'
import { isTransactional, type HeldKey } from './key-store'
import { REPLAYED_HEADER, isValidKey, resolveOptions, type IdempotencyCoreOptions, type ResolvedOptions } from './options'
import type { StoredAnswer } from './stored-answer'

/** A request as the core sees it. */
export interface CoreRequest {
  method: string
  /** The path with its query string. */
  path: string
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>
  /** Raw bytes, a string, or what a body parser made; `undefined` for none. */
  body: unknown
  /** The user or tenant the key belongs to. Default: one shared scope. */
  scope?: string
}

/** Why the core answered without running the handler. */
export type AnswerReason = 'replay' | 'in-progress' | 'mismatch' | 'missing-key' | 'invalid-key'

/** What {@link IdempotencyCore.begin} decided. */
export type Decision =
  /** Not covered (method, or no key and not required): run the handler; `held` has no key, settling it stores nothing. */
  | { kind: 'pass'; held: HeldRequest }
  /** Send `answer` and do not run the handler. */
  | { kind: 'answer'; reason: AnswerReason; answer: StoredAnswer }
  /** The key is held: run the handler, then settle `held`. */
  | { kind: 'run'; held: HeldRequest }

/** How a held request ended. */
export type Settlement = 'stored' | 'not-stored' | 'lease-lost'

/** A request whose key this attempt holds. Settle it exactly once. */
export interface HeldRequest {
  /** The key as sent; `undefined` for a request that passes through without one. */
  readonly key: string | undefined
  /**
   * Stores the answer (unless it is a 5xx: then the key is released).
   * `lease-lost` means this attempt outlived its lease and another took
   * the key over: the answer was not stored.
   */
  complete(answer: StoredAnswer): Promise<Settlement>
  /** Forgets the key without an answer (a throw, a lost connection): the retry runs afresh. */
  release(): Promise<void>
  /**
   * Transactional mode (SQL stores): runs `work` in a transaction of the
   * store's database and commits the returned answer with it, so the
   * business write and the key's answer are both there or both not. A 5xx
   * answer rolls back. SQLite's `work` must be synchronous.
   *
   * @returns the answer to send (a 409 when the lease was lost, after rolling back).
   * @throws InvalidArgumentError when the store is not transactional; whatever `work` throws (after rolling back and releasing).
   */
  transaction<Tx>(work: (tx: Tx) => AnswerInit | Promise<AnswerInit>): Promise<{ settlement: Settlement; answer: StoredAnswer }>
}

/** The core made by {@link createIdempotency}. */
export interface IdempotencyCore {
  /** The resolved header name (lower case). */
  readonly header: string
  /** Decides what to do with a request. One store round trip when it carries a key. */
  begin(request: CoreRequest): Promise<Decision>
  /** Whether `begin` would look at this request's body (a covered method with a key, or a required key). */
  wantsBody(method: string, headers: CoreRequest['headers']): boolean
  /** Forgets keys older than the retention now. @returns how many. */
  purgeExpired(): Promise<number>
}

function headerValue(headers: CoreRequest['headers'], name: string): string | string[] | undefined {
  return headers[name]
}

function recordId(options: ResolvedOptions, request: CoreRequest, key: string): string {
  const route = options.scopeToRoute ? `${request.method.toUpperCase()} ${request.path}` : ''
  return sha256(JSON.stringify([request.scope ?? '', route, key]))
}

function replayOf(answer: StoredAnswer): StoredAnswer {
  return { status: answer.status, headers: { ...answer.headers, [REPLAYED_HEADER.toLowerCase()]: 'true' }, body: answer.body }
}

/**
 * Creates the framework-free core.
 *
 * @example
 * ```ts
 * const core = createIdempotency({ store: postgresStore(pool) })
 * const decision = await core.begin({ method, path, headers, body, scope: userId })
 * if (decision.kind === 'answer') return send(decision.answer)
 * const answer = await handle()
 * if (decision.kind === 'run') await decision.held.complete(answer)
 * send(answer)
 * ```
 * @throws InvalidArgumentError on a bad option.
 */
export function createIdempotency(options: IdempotencyCoreOptions): IdempotencyCore {
  const resolved = resolveOptions(options)
  const { store, now } = resolved
  let lastPurge = now()

  const purgeExpired = (): Promise<number> => {
    const at = now()
    lastPurge = at
    return store.purge(at - resolved.retentionMs, at)
  }

  const maybePurge = (): void => {
    if (resolved.purgeIntervalMs === 0 || now() - lastPurge < resolved.purgeIntervalMs) return
    purgeExpired().catch(() => undefined) // best effort: the next interval tries again
  }

  const inProgress = (): StoredAnswer =>
    errorAnswer(409, 'a request with this idempotency key is in progress', { 'retry-after': String(resolved.retryAfterSeconds) })

  /** A held request; without `id` (no key) settling stores nothing and a transaction only commits the work. */
  function hold(id: string | undefined, key: string | undefined, token: string): HeldRequest {
    let settled = false
    const once = (): void => {
      if (settled) throw new InvalidArgumentError(`idempotency key ${key ?? '(none)'} was already settled`)
      settled = true
    }
    const heldKey = (): HeldKey | undefined => (id === undefined ? undefined : { id, token, now: now(), retentionMs: resolved.retentionMs })
    const release = async (): Promise<void> => {
      if (id !== undefined) await store.release(id, token)
    }
    const stored = (answer: StoredAnswer): StoredAnswer => ({ ...answer, headers: pickHeaders(answer.headers, resolved.replayHeaders) })
    return {
      key,
      async complete(answer) {
        once()
        const held = heldKey()
        if (held === undefined) return 'not-stored'
        if (answer.status >= 500) {
          await release()
          return 'not-stored'
        }
        return (await store.complete(held, stored(answer))) ? 'stored' : 'lease-lost'
      },
      async release() {
        once()
        await release()
      },
      async transaction<Tx>(work: (tx: Tx) => AnswerInit | Promise<AnswerInit>) {
        if (!isTransactional<Tx>(store)) throw new InvalidArgumentError(`the ${store.kind} store has no transactional mode; use a SQL store`)
        once()
        let outcome
        try {
          outcome = await store.transaction(heldKey(), work, (init) => {
            const answer = toStoredAnswer(init)
            return answer.status >= 500 ? undefined : stored(answer)
          })
        } catch (error) {
          await release()
          throw error
        }
        if (outcome.kind === 'lease-lost') return { settlement: 'lease-lost', answer: inProgress() }
        if (outcome.kind === 'not-stored') await release()
        return { settlement: id === undefined ? 'not-stored' : outcome.kind, answer: toStoredAnswer(outcome.value) }
      },
    }
  }

  return {
    header: resolved.header,
    purgeExpired,
    wantsBody: (method, headers) => resolved.methods.has(method.toUpperCase()) && headers[resolved.header] !== undefined,
    async begin(request) {
      const method = request.method.toUpperCase()
      const pass: Decision = { kind: 'pass', held: hold(undefined, undefined, '') }
      if (!resolved.methods.has(method)) return pass
      const sent = headerValue(request.headers, resolved.header)
      if (sent === undefined) {
        if (!resolved.required) return pass
        return { kind: 'answer', reason: 'missing-key', answer: errorAnswer(400, `the ${options.header ?? 'Idempotency-Key'} header is required`) }
      }
      if (Array.isArray(sent) || !isValidKey(sent)) {
        return { kind: 'answer', reason: 'invalid-key', answer: errorAnswer(400, 'invalid idempotency key: 1 to 255 visible ASCII characters, sent once') }
      }
      maybePurge()
      const contentType = headerValue(request.headers, 'content-type')
      const input = { method, path: request.path, contentType: Array.isArray(contentType) ? contentType[0] : contentType, body: request.body }
      const fingerprint = (resolved.fingerprint ?? defaultFingerprint)(input)
      const id = recordId(resolved, { ...request, method }, sent)
      const token = randomUUID()
      const claim = await store.claim({ id, key: sent, fingerprint, token, now: now(), leaseMs: resolved.leaseMs })
      if (claim.kind === 'claimed') return { kind: 'run', held: hold(id, sent, token) }
      // Another payload is refused even while the original runs: it can never become a valid repeat.
      if (claim.fingerprint !== fingerprint) {
        return { kind: 'answer', reason: 'mismatch', answer: errorAnswer(422, 'idempotency key reused with a different payload') }
      }
      if (claim.kind === 'in-progress') return { kind: 'answer', reason: 'in-progress', answer: inProgress() }
      return { kind: 'answer', reason: 'replay', answer: replayOf(claim.answer) }
    },
  }
}
