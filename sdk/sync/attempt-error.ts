import type { AttemptError } from '../queue/outbox-entry'
import { isHighSurrogate, utf8Length } from '../util/utf8'
import type { AttemptOutcome } from './answer-classifier'

/** The most of an answer's body kept with an entry, in UTF-8 bytes of its JSON. */
export const MAX_ERROR_BODY_BYTES = 2048

/** JSON text of a body, or `undefined` when it has none JSON can carry. */
function jsonOf(data: unknown): string | undefined {
  try {
    return JSON.stringify(data)
  } catch {
    return undefined
  }
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a surrogate pair. */
function utf8Prefix(text: string, maxBytes: number): string {
  let end = Math.min(text.length, maxBytes)
  while (end > 0 && utf8Length(text.slice(0, end)) > maxBytes) end = Math.floor(end * 0.9)
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1
  return text.slice(0, end)
}

/**
 * The body as kept with a failed attempt: whole when small, otherwise a text
 * excerpt. A 74 KB error page met by a hundred waiting entries must not
 * grow the outbox by 7 MB and refuse the user's next write.
 */
function keptBody(data: unknown): Pick<AttemptError, 'data' | 'truncated'> {
  if (data === undefined) return {}
  const text = typeof data === 'string' ? data : jsonOf(data)
  if (text === undefined) return {}
  if (utf8Length(text) <= MAX_ERROR_BODY_BYTES) return { data }
  return { data: `${utf8Prefix(text, MAX_ERROR_BODY_BYTES - 3)}…`, truncated: true }
}

/** Why an attempt failed, as stored with the entry and shown in `pending()`. */
export function describeAttempt(outcome: AttemptOutcome, at: number, step?: number): AttemptError {
  const where = step === undefined ? {} : { step }
  if (!outcome.response) return { message: outcome.problem ?? outcome.errMsg ?? 'no answer', at, ...where }
  const { statusCode, data } = outcome.response
  return { message: `HTTP ${statusCode}`, statusCode, ...keptBody(data), at, ...where }
}
