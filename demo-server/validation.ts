/**
 * Checks on write bodies. Each throws an `HttpError` (400) naming the field,
 * so a client learns exactly what to fix, and the refusal is stored with the
 * key like any definitive answer.
 */
import { HttpError } from './answers'
import type { DemoDatabase } from './database'
import type { Payload } from './payload'

/** The JSON object a write route expects. */
export function jsonObject(payload: Payload): Record<string, unknown> {
  if (payload.kind === 'invalid') throw new HttpError(400, payload.reason)
  if (payload.kind !== 'json' || typeof payload.value !== 'object' || payload.value === null || Array.isArray(payload.value)) {
    throw new HttpError(400, 'the body must be a JSON object')
  }
  return payload.value as Record<string, unknown>
}

/** A required non-empty string of at most `max` characters. */
export function requiredString(body: Record<string, unknown>, field: string, max: number): string {
  const value = body[field]
  if (typeof value !== 'string' || value.trim() === '') throw new HttpError(400, `${field} must be a non-empty string`, { field })
  if (value.length > max) throw new HttpError(400, `${field} must be at most ${max} characters`, { field })
  return value
}

/** An optional string of at most `max` characters; `fallback` when absent. */
export function optionalString(body: Record<string, unknown>, field: string, max: number, fallback: string): string {
  const value = body[field]
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'string') throw new HttpError(400, `${field} must be a string`, { field })
  if (value.length > max) throw new HttpError(400, `${field} must be at most ${max} characters`, { field })
  return value
}

/**
 * The client's timestamp: an ISO 8601 string (kept as sent) or ms since the
 * epoch (kept as ISO 8601). Required: the moment of the visit or delivery is
 * when it happened on the phone, not when the outbox delivered it.
 */
export function timestamp(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString()
  if (typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value))) return value
  throw new HttpError(400, `${field} must be an ISO 8601 date string or milliseconds since the epoch`, { field })
}

const PHOTO_URL = /^(?:https?:\/\/[^/]+)?\/photos\/([A-Za-z0-9_-]+)$/

/**
 * A reference to an uploaded photo: `/photos/<id>` (what `POST /photos`
 * answers) or the same path on an absolute URL. The photo must exist, so a
 * task whose `$ref` resolved to nothing is refused rather than stored.
 *
 * @returns the URL in its relative form.
 */
export function photoUrl(db: DemoDatabase, value: unknown, field: string): string {
  const match = typeof value === 'string' ? PHOTO_URL.exec(value) : null
  if (!match) throw new HttpError(400, `${field} must be a photo URL like /photos/<id>`, { field })
  if (!db.photo(match[1])) throw new HttpError(400, `${field} names an unknown photo`, { field, photo: match[1] })
  return `/photos/${match[1]}`
}
