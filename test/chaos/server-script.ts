import type { RecordedRequest, ScriptedResponse, TestServer } from '../support/test-server'
import type { FailureAnswer, StepKind } from './model'
import { ReadSite } from './read-site'

/**
 * The server side of a field day, over the loopback test server: answers each
 * action's attempts as the day planned (failures first, then 2xx), checks what
 * arrives (photo bytes, resolved references), and keeps a ledger of every
 * application. The test server already answers a repeated Idempotency-Key from
 * memory without applying it again, and forgets "not done" answers (401, 409,
 * 429, 5xx) so the retry is applied afresh: the ledger therefore holds exactly
 * the requests the backend acted on, which is what "exactly once" is about.
 */

/** One request the server acted on (a first arrival of its key, or a retry after a "not done" answer). */
export interface Application {
  /** 1-based order among this day's applications: the server's arrival order. */
  order: number
  /** The action's tag (`<day>.<id>`) from the payload; undefined for a request that carried none. */
  tag: string | undefined
  step: number
  key: string | undefined
  path: string
  status: number
  /** Photo bytes byte-exact, references resolved to this action's own earlier answers. */
  payloadOk: boolean
  /** Why `payloadOk` is false. */
  payloadProblem?: string
}

/** One request of an action as it arrived, applied or not (a repeated key answered from memory included). */
export interface Arrival {
  tag: string
  step: number
  /** The `Authorization` header: `Bearer u<user>.t<token>` from the provider of the page's user, or undefined. */
  authorization: string | undefined
  /** The `X-Logouts` header: how many logouts the app had seen when the provider gave the headers (at send time). */
  logouts: number | undefined
}

interface Hook {
  run: () => void
  /** Runs only at an application this accepts; any application when absent. */
  match?: (application: Application) => boolean
}

/** What the script needs to know about an action before the app calls the SDK. */
export interface PlannedAction {
  tag: string
  steps: StepKind[]
  answers: FailureAnswer[]
  /** Bytes of each photo step, by step index. */
  photos: Map<number, Buffer>
}

const FAILURE_BODIES: Record<FailureAnswer, ScriptedResponse> = {
  401: { status: 401, body: { error: 'token expired' } },
  409: { status: 409, body: { error: 'the same key is still being processed' } },
  429: { status: 429, headers: { 'Retry-After': '20' }, body: { error: 'slow down' } },
  503: { status: 503, body: { error: 'maintenance' } },
  422: { status: 422, body: { error: 'refused for good' } },
}

/** The URL the server gives photo `step` of action `tag`. */
export function photoUrl(tag: string, step: number): string {
  return `/files/${tag}-${step}`
}

/** The id the server gives request `step` of action `tag`. */
export function recordId(tag: string, step: number): string {
  return `${tag}-${step}`
}

interface Identified {
  tag: string | undefined
  step: number
  fields: Record<string, unknown>
}

function identify(request: RecordedRequest): Identified {
  if (request.multipart) {
    const { action, step } = request.multipart.fields
    return { tag: action, step: Number(step), fields: request.multipart.fields }
  }
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {}
  return { tag: typeof body.action === 'string' ? body.action : undefined, step: Number(body.step), fields: body }
}

export class ServerScript {
  /** Every application of this day, in arrival order. */
  readonly ledger: Application[] = []
  /** Requests from an earlier day that arrived late (answered, not counted). */
  stale = 0
  /** GETs of the read side (`offline.get`, the manifest): answered there, not part of the outbox's ledger. */
  readonly reads: ReadSite
  private readonly planned = new Map<string, PlannedAction>()
  private readonly remaining = new Map<string, FailureAnswer[]>()
  private hooks: Hook[] = []

  constructor(
    private readonly server: TestServer,
    /** Prefix of this day's tags; anything else is late traffic from an earlier day. */
    private readonly dayTag: string,
  ) {
    this.reads = new ReadSite(server.url)
    server.respondWith((request) => (request.method === 'GET' ? (this.reads.answer(request) ?? { status: 404 }) : this.answer(request)))
  }

  /** Tells the server what action `tag` will send, before the app calls the SDK. */
  plan(action: PlannedAction): void {
    this.planned.set(action.tag, action)
    this.remaining.set(action.tag, [...action.answers])
  }

  /**
   * Runs `hook` while the server handles the next request it applies (after
   * applying, before answering), or the next one `match` accepts.
   */
  duringNextApplication(hook: () => void, match?: (application: Application) => boolean): void {
    this.hooks.push({ run: hook, match })
  }

  /** Forgets hooks not yet run (the day is over: the final drain runs undisturbed). */
  clearHooks(): void {
    this.hooks = []
  }

  /** Every request of this day's actions as it arrived, with the headers the app's provider gave it. */
  arrivals(): Arrival[] {
    const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)
    return this.server.requests.flatMap((request): Arrival[] => {
      const { tag, step } = identify(request)
      if (tag === undefined || !tag.startsWith(`${this.dayTag}.`)) return []
      const logouts = header(request.headers['x-logouts'])
      return [{ tag, step, authorization: header(request.headers.authorization), logouts: logouts === undefined ? undefined : Number(logouts) }]
    })
  }

  /** Requests of this day that arrived without an Idempotency-Key. */
  requestsWithoutKey(): number {
    return this.server.requests.filter((request) => identify(request).tag?.startsWith(`${this.dayTag}.`) && !request.idempotencyKey).length
  }

  private answer(request: RecordedRequest): ScriptedResponse {
    const { tag, step, fields } = identify(request)
    if (tag !== undefined && !tag.startsWith(`${this.dayTag}.`)) {
      this.stale += 1
      return { body: { ok: true } }
    }
    const action = tag === undefined ? undefined : this.planned.get(tag)
    const failure = tag === undefined ? undefined : this.remaining.get(tag)?.shift()
    const response: ScriptedResponse =
      failure !== undefined ? FAILURE_BODIES[failure] : this.success(tag ?? 'unknown', step, action?.steps[step])
    const problem = action ? this.checkPayload(action, step, request, fields) : 'no action in the payload'
    const application: Application = {
      order: this.ledger.length + 1,
      tag,
      step,
      key: request.idempotencyKey,
      path: request.path,
      status: response.status ?? 200,
      payloadOk: problem === undefined,
    }
    if (problem !== undefined) application.payloadProblem = problem
    this.ledger.push(application)
    const hook = this.hooks.findIndex((each) => each.match === undefined || each.match(application))
    if (hook >= 0) this.hooks.splice(hook, 1)[0].run()
    return response
  }

  private success(tag: string, step: number, kind: StepKind | undefined): ScriptedResponse {
    if (kind === 'photo') return { body: { url: photoUrl(tag, step) } }
    return { body: { ok: true, id: recordId(tag, step) } }
  }

  /** What the payload should be: the right kind of step, the photo's exact bytes, references resolved to this action's answers. */
  private checkPayload(action: PlannedAction, step: number, request: RecordedRequest, fields: Record<string, unknown>): string | undefined {
    const kind = action.steps[step]
    if (kind === undefined) return `step ${step} does not exist`
    if (kind === 'photo') {
      const bytes = request.multipart?.files[0]?.bytes
      const expected = action.photos.get(step)
      if (!bytes || !expected || !bytes.equals(expected)) return `photo of step ${step} is not byte-exact (${bytes?.length ?? 'no'} bytes)`
      return undefined
    }
    if (request.multipart) return `step ${step} should be a JSON request`
    if (action.steps.length < 2) return undefined
    const photoSteps = action.steps.flatMap((each, index) => (each === 'photo' ? [index] : []))
    if (photoSteps.length === 0) {
      if (step === 1 && fields.first !== recordId(action.tag, 0)) return `reference to step 0 resolved to ${JSON.stringify(fields.first)}`
      return undefined
    }
    const expected = photoSteps.map((index) => photoUrl(action.tag, index))
    if (JSON.stringify(fields.photos) !== JSON.stringify(expected)) return `photo references resolved to ${JSON.stringify(fields.photos)}`
    return undefined
  }
}
