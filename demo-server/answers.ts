/**
 * What write routes answer: JSON with a status. A write's answer is stored
 * with its idempotency key exactly as sent (the JSON text), so a replay is
 * byte for byte the original.
 */

/** A JSON answer. */
export interface JsonAnswer {
  status: number
  /** Sent as `JSON.stringify(body)`. */
  body: unknown
}

/** The body of every error answer. */
export interface ErrorBody {
  error: string
  /** Extra facts about the error, when there are some. */
  details?: Record<string, unknown>
}

/** A JSON answer with an `{ error, details? }` body. */
export function errorAnswer(status: number, error: string, details?: Record<string, unknown>): JsonAnswer {
  const body: ErrorBody = details === undefined ? { error } : { error, details }
  return { status, body }
}

/**
 * Thrown by a route to answer with a 4xx: the request was understood and
 * refused for good. Inside a write the refusal is stored with the key like
 * any other definitive answer.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'HttpError'
  }

  /** The answer this error stands for. */
  toAnswer(): JsonAnswer {
    return errorAnswer(this.status, this.message, this.details)
  }
}
