import { InvalidArgumentError, TransportError } from '../errors'
import type { HttpResponse, PlatformHttp } from '../platform/platform'
import type { OutboxEntry } from '../queue/outbox-entry'
import { resolveReferences, type StepResult } from '../queue/step-reference'
import { toHttpRequest } from '../queue/stored-request'
import { stepsOf, type StoredUpload } from '../queue/task-step'
import type { AttemptOutcome } from './answer-classifier'

export interface StepSenderOptions {
  http: PlatformHttp
  /** Headers added at send time (credentials, the step's idempotency key). */
  sendTimeHeaders: (idempotencyKey: string) => Promise<Record<string, string>>
  fileExists: (path: string) => Promise<boolean>
}

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

async function sendUpload(upload: StoredUpload, headers: Record<string, string>, options: StepSenderOptions): Promise<HttpResponse> {
  if (!(await options.fileExists(upload.filePath))) {
    throw new LocalProblem(`the kept file ${upload.filePath} has vanished`)
  }
  const url = upload.url
  if (typeof url !== 'string') throw new LocalProblem('the upload url did not resolve to a string')
  const formData: Record<string, string> = {}
  for (const [name, value] of Object.entries(upload.formData ?? {})) formData[name] = typeof value === 'string' ? value : JSON.stringify(value)
  const request = { url, filePath: upload.filePath, name: upload.name, header: { ...upload.header, ...headers }, formData, timeout: upload.timeout }
  const response = await options.http.uploadFile(request).result
  return { ...response, data: parseUploadBody(response.data) }
}

/** A failure on the phone that no retry can fix (a vanished file, a reference to nothing). */
class LocalProblem extends Error {}

/** Sends an entry's next step; never throws for an expected failure. */
export async function sendNextStep(entry: OutboxEntry, options: StepSenderOptions): Promise<AttemptOutcome & { result?: StepResult }> {
  const { step, index, total } = nextStep(entry)
  try {
    const headers = await options.sendTimeHeaders(stepKey(entry, index, total))
    const resolved = resolveReferences(step, entry.results ?? [])
    const response =
      'upload' in resolved
        ? await sendUpload(resolved.upload, headers, options)
        : await options.http.request(toHttpRequest(resolved.request, headers)).result
    return { response, result: { statusCode: response.statusCode, data: response.data } }
  } catch (error) {
    if (error instanceof TransportError) return { errMsg: error.errMsg }
    if (error instanceof LocalProblem || error instanceof InvalidArgumentError) return { problem: error.message }
    throw error
  }
}
