/** Answers a handler hands back in transactional mode, and the core's own answers (400, 409, 422). */
import type { StoredAnswer } from './stored-answer'

/** An answer written as a value: JSON unless the body is bytes or text. */
export interface AnswerInit {
  /** The HTTP status. */
  status: number
  /** A Buffer or string is sent as is; anything else as JSON. Default: no body. */
  body?: unknown
  /** Extra headers (any case). */
  headers?: Record<string, string>
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** The bytes and headers an {@link AnswerInit} stands for. */
export function toStoredAnswer(init: AnswerInit): StoredAnswer {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value
  let body: Buffer
  if (init.body === undefined) body = Buffer.alloc(0)
  else if (Buffer.isBuffer(init.body)) body = init.body
  else if (typeof init.body === 'string') {
    body = Buffer.from(init.body, 'utf8')
    headers['content-type'] ??= 'text/plain; charset=utf-8'
  } else {
    body = Buffer.from(JSON.stringify(init.body), 'utf8')
    headers['content-type'] ??= JSON_TYPE
  }
  return { status: init.status, headers, body }
}

/** A JSON `{ error }` answer. */
export function errorAnswer(status: number, error: string, headers: Record<string, string> = {}): StoredAnswer {
  return toStoredAnswer({ status, body: { error }, headers })
}

/** Only the headers named in `chosen` (lower case). */
export function pickHeaders(headers: Record<string, string>, chosen: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of chosen) if (headers[name] !== undefined) picked[name] = headers[name]
  return picked
}
