import { InvalidArgumentError } from '../errors'

/**
 * A declarative reference to an earlier step's result, e.g.
 * `{ $ref: 'steps.0.data.url' }`: replaced, at send time, by that value.
 * Functions cannot be stored, so this is how a later step uses what an
 * earlier one returned (the URL of an uploaded photo, an id the server made).
 */
export interface StepReference {
  $ref: string
}

/** What a finished step leaves for later steps to refer to. */
export interface StepResult {
  statusCode: number
  data: unknown
}

const REFERENCE_PATH = /^steps\.(\d+)((?:\.[^.]+)*)$/

/** True for `{ $ref: string }` and nothing else (no other keys). */
export function isReference(value: unknown): value is StepReference {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as StepReference).$ref === 'string' && Object.keys(value).length === 1
}

function parse(ref: string): { step: number; path: string[] } | undefined {
  const match = REFERENCE_PATH.exec(ref)
  if (!match) return undefined
  return { step: Number(match[1]), path: match[2] === '' ? [] : match[2].slice(1).split('.') }
}

function forEachReference(value: unknown, visit: (ref: string) => void): void {
  if (isReference(value)) {
    visit(value.$ref)
    return
  }
  if (Array.isArray(value)) value.forEach((item) => forEachReference(item, visit))
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => forEachReference(item, visit))
}

/** Refuses a reference that is malformed or points at this step or a later one. */
export function checkReferences(value: unknown, stepIndex: number): void {
  forEachReference(value, (ref) => {
    const parsed = parse(ref)
    if (!parsed) throw new InvalidArgumentError(`step ${stepIndex}: "${ref}" is not a reference like "steps.0.data.url"`)
    if (parsed.step >= stepIndex) {
      throw new InvalidArgumentError(`step ${stepIndex}: "${ref}" refers to step ${parsed.step}, which has not run yet; refer to an earlier step`)
    }
  })
}

function lookUp(ref: string, results: readonly StepResult[]): unknown {
  const parsed = parse(ref)
  let value: unknown = parsed ? results[parsed.step] : undefined
  for (const key of parsed?.path ?? []) {
    // Own keys only: `steps.0.data.constructor` must find nothing, not Object.
    value = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined
  }
  if (value === undefined) throw new InvalidArgumentError(`"${ref}" found nothing in the earlier step's answer`)
  return value
}

/**
 * A copy of `value` with every reference replaced by what it points at.
 * Keys are copied as own properties, so a body key named `__proto__` (as
 * `JSON.parse` gives one) stays a key, exactly as `request()` sends it,
 * instead of becoming the copy's prototype.
 */
export function resolveReferences<T>(value: T, results: readonly StepResult[]): T {
  if (isReference(value)) return lookUp(value.$ref, results) as T
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, results)) as T
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: resolveReferences(item, results), enumerable: true, writable: true, configurable: true })
    }
    return copy as T
  }
  return value
}
