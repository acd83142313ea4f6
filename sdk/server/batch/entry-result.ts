/** A sub-request's answer as a result on the wire. */
import type { AttemptedResult } from './batch-wire'
import type { CapturedAnswer } from './captured-response'

/** Headers that describe the sub-answer's framing, not its meaning: the batch answer has its own. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive'])

/** The body as the client reads it: the JSON value when the bytes are JSON (as `wx.request` with `dataType: 'json'`), else the text. */
export function resultBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined
  const text = bytes.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** The wire result of one entry that ran. */
export function toResult(key: string, answer: CapturedAnswer): AttemptedResult {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(answer.headers)) if (!FRAMING.has(name)) headers[name] = value
  const result: AttemptedResult = { key, status: answer.status, headers }
  const body = resultBody(answer.body)
  if (body !== undefined) result.body = body
  return result
}

/** A result the endpoint makes itself for an entry (a timeout, a handler that threw): JSON `{ error }`. */
export function ownResult(key: string, status: number, error: string): AttemptedResult {
  return { key, status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { error } }
}
