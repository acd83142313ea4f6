/**
 * A write's payload, decoded once, and the hash that tells a true repeat of
 * a request from a different request reusing its idempotency key.
 */
import { createHash } from 'crypto'
import type { IncomingHttpHeaders } from 'http'
import { decodeMultipart, isMultipart, type UploadedFile } from './multipart'
import { canonicalJson } from '../sdk/server'

/** A decoded request body. */
export type Payload =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'multipart'; fields: Record<string, string>; files: UploadedFile[] }
  /** A body that is neither JSON nor valid multipart; routes answer 400. */
  | { kind: 'invalid'; reason: string; raw: Buffer }

/** Decodes a body: multipart by content type, JSON otherwise (whatever the content type says). */
export async function decodePayload(headers: IncomingHttpHeaders, raw: Buffer): Promise<Payload> {
  if (isMultipart(headers)) {
    try {
      const body = await decodeMultipart(headers, raw)
      return { kind: 'multipart', fields: body.fields, files: body.files }
    } catch (error) {
      return { kind: 'invalid', reason: `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`, raw }
    }
  }
  if (raw.length === 0) return { kind: 'empty' }
  try {
    return { kind: 'json', value: JSON.parse(raw.toString('utf8')) as unknown }
  } catch {
    return { kind: 'invalid', reason: 'the body must be JSON', raw }
  }
}


function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * The hash stored with an idempotency key: method, path with query, and the
 * payload's meaning rather than its bytes, because a faithful retry need not
 * be byte-identical:
 * - JSON: canonical JSON (sorted keys), so re-serialising the same object in
 *   another key order is still the same request;
 * - multipart: the fields and each file's field name and SHA-256, but not the
 *   boundary (`wx.uploadFile` picks a new one on every attempt), the file
 *   name or the part's content type (transport details of the kept copy);
 * - anything else: the raw bytes.
 */
export function requestHash(method: string, pathWithQuery: string, payload: Payload): string {
  let material: string
  switch (payload.kind) {
    case 'empty':
      material = 'empty'
      break
    case 'json':
      material = `json\n${canonicalJson(payload.value)}`
      break
    case 'multipart': {
      const files = payload.files.map((file) => `${file.field}=${sha256(file.bytes)}`).sort()
      material = `multipart\n${canonicalJson(payload.fields)}\n${files.join('\n')}`
      break
    }
    case 'invalid':
      material = `raw\n${sha256(payload.raw)}`
      break
  }
  return sha256(`${method.toUpperCase()}\n${pathWithQuery}\n${material}`)
}
