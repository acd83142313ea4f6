import { InvalidArgumentError } from '../errors'
import type { HttpRequest, UploadRequest } from '../platform/platform'
import { hasControlCharacter } from './request-vocabulary'
import { checkReferences, isReference, resolveReferences, type StepReference, type StepResult } from './step-reference'
import { assertHttpUrl, checkHeader, toStoredRequest, withoutSecrets, type StoredRequest } from './stored-request'

/** An upload as kept in the outbox: the file is the SDK's own copy. */
export interface StoredUpload {
  url: string | StepReference
  /** The kept copy under USER_DATA_PATH, never the caller's temp path. */
  filePath: string
  name: string
  formData?: Record<string, string | StepReference>
  header?: Record<string, string>
  timeout?: number
}

/** One step of an entry: a request or an upload. */
export type TaskStep = { request: StoredRequest } | { upload: StoredUpload }

/** A request step as the app writes it: any value may be a `{ $ref }`. */
export type TaskRequestInput = Omit<HttpRequest, 'url'> & { url: string | StepReference }

/** An upload step as the app writes it; `filePath` is the app's (temp) file. */
export type TaskUploadInput = Omit<UploadRequest, 'url' | 'formData'> & {
  url: string | StepReference
  formData?: Record<string, string | StepReference>
}

/** One step of `offline.task()`. */
export type TaskStepInput = { request: TaskRequestInput } | { upload: TaskUploadInput }

/** A URL the app wrote: a `{ $ref }` (checked once resolved, see {@link resolveStep}) or a URL the vocabulary accepts. */
function checkUrl(url: unknown, what: string): void {
  if (!isReference(url)) assertHttpUrl(url, what)
}

/** Checks an upload's fields (not its file) and gives its stored form around the kept copy. */
export function toStoredUpload(input: TaskUploadInput, keptPath: string, keepSecrets: boolean): StoredUpload {
  if (typeof input !== 'object' || input === null) throw new InvalidArgumentError('upload must be an object')
  checkUrl(input.url, 'upload url')
  // The name and formData names go into multipart headers: a CR or LF there would forge a part.
  if (typeof input.name !== 'string' || input.name === '' || hasControlCharacter(input.name)) {
    throw new InvalidArgumentError('upload name (the form field of the file) must be a non-empty string without control characters')
  }
  const stored: StoredUpload = { url: input.url, filePath: keptPath, name: input.name }
  if (input.formData !== undefined) stored.formData = checkFormData(input.formData)
  const header = withoutSecrets(checkHeader(input.header), keepSecrets)
  if (Object.keys(header).length > 0) stored.header = header
  if (input.timeout !== undefined) {
    if (!(Number.isFinite(input.timeout) && input.timeout > 0)) throw new InvalidArgumentError('timeout must be a positive number of milliseconds')
    stored.timeout = input.timeout
  }
  return stored
}

function checkFormData(formData: unknown): Record<string, string | StepReference> {
  if (typeof formData !== 'object' || formData === null || Array.isArray(formData)) throw new InvalidArgumentError('formData must be an object')
  for (const [name, value] of Object.entries(formData)) {
    if (name === '' || hasControlCharacter(name)) throw new InvalidArgumentError(`formData name ${JSON.stringify(name)} must be non-empty, without control characters`)
    if (typeof value !== 'string' && !isReference(value)) throw new InvalidArgumentError(`formData "${name}" must be a string or a { $ref }`)
  }
  return formData as Record<string, string | StepReference>
}

/** Checks a request step, whose url may be a reference resolved at send time. */
export function toStoredRequestStep(input: TaskRequestInput, keepSecrets: boolean): StoredRequest {
  checkUrl(input?.url, 'url')
  const placeholder = isReference(input.url) ? 'https://reference.invalid' : input.url
  const stored = toStoredRequest({ ...input, url: placeholder }, keepSecrets)
  stored.url = input.url
  return stored
}

/**
 * A step with its references replaced by earlier steps' results: a URL that
 * a reference made is held to the same request vocabulary as one the app
 * wrote (which was checked at the call).
 * @throws {@link InvalidArgumentError} when a reference finds nothing or the
 * resolved URL is not one the SDK would send to (the sender dead-letters
 * the entry: no retry can fix it).
 */
export function resolveStep(step: TaskStep, results: readonly StepResult[]): TaskStep {
  const resolved = resolveReferences(step, results)
  // Only a URL a reference made is new; one the app wrote was checked at the call.
  if ('upload' in step && isReference(step.upload.url)) assertHttpUrl((resolved as { upload: StoredUpload }).upload.url, 'upload url (after resolving its reference)')
  if ('request' in step && isReference(step.request.url)) assertHttpUrl((resolved as { request: StoredRequest }).request.url, 'url (after resolving its reference)')
  return resolved
}

/** Refuses references that are malformed or point forward, step by step. */
export function checkStepReferences(steps: readonly TaskStep[]): void {
  steps.forEach((step, index) => checkReferences('upload' in step ? step.upload : step.request, index))
}
