import { InvalidArgumentError, TransportError } from '../errors'
import type { HttpResponse, PlatformHttp, PlatformTask } from '../platform/platform'
import type { OutboxEntry } from '../queue/outbox-entry'
import type { StepResult } from '../queue/step-reference'
import { toHttpRequest } from '../queue/stored-request'
import { stepsOf } from '../queue/outbox-entry'
import { resolveStep, type StoredUpload } from '../queue/task-step'
import type { AttemptOutcome } from './answer-classifier'
import { providerFailure } from '../queue/headers-provider'

/** What the sender needs for one attempt. */
export interface EntrySenderOptions {
  http: PlatformHttp
  /** Headers added at send time (credentials, the step's idempotency key); never stored. */
  sendTimeHeaders: (entry: OutboxEntry, idempotencyKey: string) => Promise<Record<string, string>>
  fileExists: (path: string) => Promise<boolean>
}

/** One attempt's hooks: whether it may still go once its headers are known, and where its task goes (to abort it). */
export interface AttemptControl {
  mayStillSend: () => boolean
  onTask: (task: PlatformTask<unknown>) => void
}

/** An attempt's outcome plus what a task's later steps may refer to. */
export type SendOutcome = AttemptOutcome & { result?: StepResult; withdrawn?: true }

/** The step that runs next, and how many there are. */
export function nextStep(entry: OutboxEntry) {
  const steps = stepsOf(entry)
  const index = entry.done ?? 0
  return { step: steps[index], index, total: steps.length }
}

/**
 * Each step has its own key, so the server can tell "step 2 again" from
 * "step 3"; an entry of one step sends the entry's key itself.
 */
export function stepKey(entry: OutboxEntry, index: number, total: number): string {
  return total > 1 ? `${entry.idempotencyKey}:${index}` : entry.idempotencyKey
}

/** `wx.uploadFile` gives the body as a string; JSON is parsed so later steps can refer into it. */
function parseUploadBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A failure on the phone that no retry can fix (a vanished file, a reference to nothing). */
class LocalProblem extends Error {}

async function uploadRequest(upload: StoredUpload, headers: Record<string, string>, options: EntrySenderOptions) {
  if (!(await options.fileExists(upload.filePath))) {
    throw new LocalProblem(`the kept file ${upload.filePath} has vanished`)
  }
  const url = upload.url
  if (typeof url !== 'string') throw new LocalProblem('the upload url did not resolve to a string')
  const formData: Record<string, string> = {}
  for (const [name, value] of Object.entries(upload.formData ?? {})) formData[name] = typeof value === 'string' ? value : JSON.stringify(value)
  return { url, filePath: upload.filePath, name: upload.name, header: { ...upload.header, ...headers }, formData, timeout: upload.timeout }
}

/** The app's `headers` provider failed: no credentials, so nothing is sent; the entry waits and tries again. */
async function headersFor(entry: OutboxEntry, key: string, options: EntrySenderOptions): Promise<Record<string, string> | string> {
  try {
    return await options.sendTimeHeaders(entry, key)
  } catch (error) {
    return providerFailure(error)
  }
}

/**
 * Sends an entry's next step: the one sender of the SDK, for live sends and
 * replay alike. Never throws for an expected failure: the outcome says what
 * happened. `withdrawn` means nothing was sent (the queue was cleared while
 * the headers were being fetched).
 */
export async function sendNextStep(entry: OutboxEntry, options: EntrySenderOptions, control: AttemptControl): Promise<SendOutcome> {
  const { step, index, total } = nextStep(entry)
  const headers = await headersFor(entry, stepKey(entry, index, total), options)
  if (typeof headers === 'string') return { errMsg: headers }
  if (!control.mayStillSend()) return { withdrawn: true }
  try {
    const resolved = resolveStep(step, entry.results ?? [])
    let response: HttpResponse
    if ('upload' in resolved) {
      const task = options.http.uploadFile(await uploadRequest(resolved.upload, headers, options))
      control.onTask(task)
      const answer = await task.result
      response = { ...answer, data: parseUploadBody(answer.data) }
    } else {
      const task = options.http.request(toHttpRequest(resolved.request, headers))
      control.onTask(task)
      response = await task.result
    }
    return { response, result: { statusCode: response.statusCode, data: response.data } }
  } catch (error) {
    if (error instanceof TransportError) return { errMsg: error.errMsg }
    if (error instanceof LocalProblem || error instanceof InvalidArgumentError) return { problem: error.message }
    throw error
  }
}
