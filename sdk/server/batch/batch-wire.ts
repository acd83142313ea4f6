/**
 * The batch protocol's shapes on the wire (see docs/batch-protocol.md).
 * A Java or Go backend implements exactly these.
 */

/** One entry of a batch request: one outbox entry, with its own key. */
export interface BatchEntry {
  /** The entry's Idempotency-Key; the sub-request carries it in that header. Unique within a batch. */
  key: string
  /** The entry's lane; `''` is the default lane. */
  lane: string
  /** The HTTP method, upper case. */
  method: string
  /** Path and query on the batch endpoint's own origin, starting with one `/`. */
  path: string
  /** The entry's own headers (never auth: that comes from the batch request). */
  headers: Record<string, string>
  /** The body: a string is sent as its UTF-8 bytes as is, any other JSON value as JSON text; absent for none. */
  body?: unknown
}

/** The body of a batch request. */
export interface BatchRequestBody {
  entries: BatchEntry[]
}

/** The answer to an entry that ran. */
export interface AttemptedResult {
  key: string
  /** The sub-request's HTTP status. */
  status: number
  /** Its headers, names in lower case, without framing headers (content-length, transfer-encoding, connection). */
  headers: Record<string, string>
  /** Its body: the JSON value when the bytes are JSON, else their text; absent when empty. */
  body?: unknown
}

/** An entry left alone because an earlier entry of its lane did not get a 2xx. It stays queued. */
export interface NotAttemptedResult {
  key: string
  notAttempted: true
}

/** One result per entry, in the request's order. */
export type BatchResult = AttemptedResult | NotAttemptedResult

/** The body of a batch endpoint's 200 answer. */
export interface BatchResponseBody {
  results: BatchResult[]
}
