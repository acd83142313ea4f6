/**
 * The fingerprint that tells a true repeat from another request reusing its
 * key: method, path with query, and a hash of the body's meaning. A faithful
 * retry need not be byte-identical, so:
 * - JSON (parsed, or raw with a JSON content type) hashes as canonical JSON,
 *   object keys sorted, so another key order is the same request;
 * - multipart hashes with its boundary blanked out, because `wx.uploadFile`
 *   picks a new boundary on every attempt;
 * - anything else hashes as bytes.
 */
import { createHash } from 'crypto'

/** What a fingerprint is made of. */
export interface FingerprintInput {
  /** Upper case. */
  method: string
  /** The path with its query string. */
  path: string
  /** The `content-type` header, if any. */
  contentType: string | undefined
  /** The body: raw bytes, a string, or a value a body parser made (JSON). `undefined` when there is none. */
  body: unknown
}

/** SHA-256 in hex. */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const BOUNDARY = /boundary=(?:"([^"]+)"|([^;\s]+))/i

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType)
}

/** The multipart body with every occurrence of its boundary replaced by a constant. */
function withoutBoundary(bytes: Buffer, contentType: string): Buffer {
  const found = BOUNDARY.exec(contentType)
  const boundary = found?.[1] ?? found?.[2]
  if (!boundary) return bytes
  const needle = Buffer.from(`--${boundary}`, 'latin1')
  const parts: Buffer[] = []
  let from = 0
  for (let at = bytes.indexOf(needle, from); at !== -1; at = bytes.indexOf(needle, from)) {
    parts.push(bytes.subarray(from, at), Buffer.from('--B'))
    from = at + needle.length
  }
  parts.push(bytes.subarray(from))
  return Buffer.concat(parts)
}

function bodyMaterial(contentType: string | undefined, body: unknown): string {
  if (body === undefined || body === null) return 'empty'
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')
    if (bytes.length === 0) return 'empty'
    if (isJsonType(contentType)) {
      try {
        return `json\n${canonicalJson(JSON.parse(bytes.toString('utf8')))}`
      } catch {
        // Not JSON after all: hashed as bytes below.
      }
    }
    if (contentType !== undefined && /^multipart\//i.test(contentType)) return `multipart\n${sha256(withoutBoundary(bytes, contentType))}`
    return `bytes\n${sha256(bytes)}`
  }
  if (typeof body === 'object' && Object.keys(body as object).length === 0) return 'empty'
  return `json\n${canonicalJson(body)}`
}

/** The default fingerprint: SHA-256 over method, path with query and body material. */
export function defaultFingerprint(input: FingerprintInput): string {
  return sha256(`${input.method}\n${input.path}\n${bodyMaterial(input.contentType, input.body)}`)
}
