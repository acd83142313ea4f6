/**
 * An answer as the key stores remember it: the status, the headers chosen
 * for replay, and the body's exact bytes, so a replay is byte for byte the
 * original.
 */

/** An HTTP answer, kept with its idempotency key. */
export interface StoredAnswer {
  /** The HTTP status. */
  status: number
  /** Header names in lower case; only the headers chosen for replay. */
  headers: Record<string, string>
  /** The body exactly as first sent. */
  body: Buffer
}

/** The JSON text a store keeps for the headers. */
export function encodeHeaders(headers: Record<string, string>): string {
  return JSON.stringify(headers)
}

/** Reads headers written by {@link encodeHeaders}; anything else reads as none. */
export function decodeHeaders(text: string | null | undefined): Record<string, string> {
  if (!text) return {}
  const parsed = JSON.parse(text) as unknown
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) if (typeof value === 'string') headers[name] = value
  return headers
}
