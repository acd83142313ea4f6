import { TransportError } from '../errors'
import type { HttpResponse, PlatformHttp, PlatformTask } from '../platform/platform'
import type { IndexedEntry } from '../queue/outbox'
import type { OutboxEntry } from '../queue/outbox-entry'
import type { TypedEmitter } from '../util/typed-emitter'
import { utf8Length } from '../util/utf8'
import type { AttemptOutcome } from './answer-classifier'
import type { LaneStep } from './attempt-settler'
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_ENTRIES,
  judgeBatch,
  originOf,
  toWireEntry,
  type BatchOptions,
  type WireEntry,
} from './batch-protocol'
import type { SyncEvents } from './sync-events'
import { providerFailure } from '../queue/headers-provider'


/** What the batch replayer needs from the replay engine: its lanes, its attempts' bookkeeping, its settle. */
export interface BatchHost {
  http: PlatformHttp
  events: TypedEmitter<SyncEvents>
  /** Lanes whose head may be sent now, in the replay's order. */
  readyLanes(): string[]
  lane(laneId: string): readonly IndexedEntry[]
  isDue(id: string): boolean
  isSending(id: string): boolean
  /** The entry to send, or `undefined` (gone, or superseded and dropped). */
  readForSending(id: string): OutboxEntry | undefined
  /** Whether the entry may travel with others (it carries no per-request secrets for this run). */
  mayShareRequest(entry: OutboxEntry): boolean
  /** The headers of the batch request itself: the app's credentials. */
  batchHeaders(): Promise<Record<string, string>>
  /** Marks entries as being sent (`abort` lets a clear abort the batch); `end` ends that, `stillCurrent` says no clear came meanwhile. */
  begin(entries: OutboxEntry[], abort: () => void): { stillCurrent: () => boolean; end: () => void }
  settle(entry: OutboxEntry, outcome: AttemptOutcome): Promise<LaneStep>
  refreshAuth(): Promise<boolean>
}

interface Picked {
  entry: OutboxEntry
  wire: WireEntry
}

/** Room the body's envelope takes besides its entries: `{"entries":[...]}`. */
const ENVELOPE_BYTES = 16

/**
 * Replay past one request per entry: the waiting heads of ready lanes (and
 * the entries behind them, in order) travel together to the batch endpoint,
 * each with its own idempotency key, and each answer is settled exactly as a
 * single send's would be. Order within a lane holds because the server
 * applies a lane in order and stops it at its first failure; the entries it
 * did not attempt stay queued untouched. A server without the endpoint
 * switches this run to one request per entry, with a `batchFallback` event.
 */
export class BatchReplayer {
  private readonly origin: string | undefined
  private readonly maxEntries: number
  private readonly maxBytes: number
  private disabled = false

  constructor(private readonly options: BatchOptions, private readonly host: BatchHost) {
    this.origin = originOf(options.url)
    this.maxEntries = options.maxEntries ?? DEFAULT_BATCH_ENTRIES
    this.maxBytes = options.maxBytes ?? DEFAULT_BATCH_BYTES
  }

  /** False once the endpoint proved not to speak the protocol (for the rest of the run). */
  get enabled(): boolean {
    return !this.disabled
  }

  /** Whether entry `id` could travel in a batch now. */
  canCarry(id: string): boolean {
    return this.candidate(id) !== undefined
  }

  /** Sends batches until nothing batchable is ready; returns `stopAll` when the network is gone. */
  async run(canGoOn: () => boolean): Promise<LaneStep> {
    let authRefreshed = false
    while (!this.disabled && canGoOn()) {
      const picked = this.pick()
      if (picked.length === 0) return 'next'
      const step = await this.send(picked, authRefreshed)
      if (step === 'stopAll') return step
      if (step === 'stopLane') authRefreshed = true
    }
    return 'next'
  }

  private pick(): Picked[] {
    const picked: Picked[] = []
    let bytes = ENVELOPE_BYTES
    for (const laneId of this.host.readyLanes()) {
      for (const located of this.host.lane(laneId)) {
        if (picked.length >= this.maxEntries) return picked
        const next = this.candidate(located.id)
        if (!next) break
        const size = utf8Length(JSON.stringify(next.wire)) + 1
        if (bytes + size > this.maxBytes) break
        picked.push(next)
        bytes += size
      }
    }
    return picked
  }

  /** The entry as it would travel, or `undefined` when its lane stops here for this batch. */
  private candidate(id: string): Picked | undefined {
    if (this.origin === undefined || this.host.isSending(id) || !this.host.isDue(id)) return undefined
    const entry = this.host.readForSending(id)
    if (!entry || !this.host.mayShareRequest(entry)) return undefined
    const wire = toWireEntry(entry, this.origin, entry.idempotencyKey)
    return wire && { entry, wire }
  }

  /** One batch; `stopLane` asks for one more round after a credentials refresh. */
  private async send(picked: Picked[], authRefreshed: boolean): Promise<LaneStep> {
    const entries = picked.map(({ entry }) => entry)
    let task: PlatformTask<HttpResponse> | undefined
    const attempt = this.host.begin(entries, () => task?.abort())
    try {
      const outcome = await this.post(picked, (sent) => (task = sent))
      if (!attempt.stillCurrent()) return 'stopAll'
      const verdict = judgeBatch(outcome, picked.map(({ wire }) => wire.key))
      switch (verdict.kind) {
        case 'answers':
          for (const [index, answer] of verdict.answers.entries()) {
            if ('response' in answer) await this.host.settle(entries[index], answer)
          }
          return 'next'
        case 'unsupported':
          return this.fallBack(verdict.reason)
        case 'authExpired':
          if (authRefreshed || !(await this.host.refreshAuth())) return this.fallBack('the batch endpoint refused the credentials twice')
          return 'stopLane'
        case 'forEach':
          return this.settleEach(entries, verdict.response ? { response: verdict.response } : { errMsg: verdict.errMsg })
      }
    } finally {
      attempt.end()
    }
  }

  private async post(picked: Picked[], onTask: (task: PlatformTask<HttpResponse>) => void): Promise<{ response?: HttpResponse; errMsg?: string }> {
    let headers: Record<string, string>
    try {
      headers = await this.host.batchHeaders()
    } catch (error) {
      return { errMsg: providerFailure(error) }
    }
    const task = this.host.http.request({
      url: this.options.url,
      method: 'POST',
      header: { ...headers, 'Content-Type': 'application/json' },
      data: { entries: picked.map(({ wire }) => wire) },
    })
    onTask(task)
    try {
      return { response: await task.result }
    } catch (error) {
      if (error instanceof TransportError) return { errMsg: error.errMsg }
      throw error
    }
  }

  private async settleEach(entries: OutboxEntry[], outcome: AttemptOutcome): Promise<LaneStep> {
    let step: LaneStep = 'next'
    for (const entry of entries) if ((await this.host.settle(entry, outcome)) === 'stopAll') step = 'stopAll'
    return step
  }

  private fallBack(reason: string): LaneStep {
    this.disabled = true
    this.host.events.emit('batchFallback', { reason })
    return 'next'
  }
}
