/**
 * A `multipart/form-data` encoder (RFC 7578), the body `wx.uploadFile`
 * sends: every form field first, then the one file part.
 */
import { randomBytes } from 'crypto'

/** The file part of an upload. */
export interface MultipartFile {
  /** The form field name (`name` in `wx.uploadFile`). */
  fieldName: string
  /** Sent as `filename`; WeChat uses the file's base name. */
  fileName: string
  /** Default `application/octet-stream`. */
  contentType?: string
  bytes: Uint8Array
}

/** What to encode. */
export interface MultipartInput {
  fields?: Record<string, string>
  file?: MultipartFile
  /** Fixed boundary for reproducible output; a random one by default. */
  boundary?: string
}

/** An encoded body and the `content-type` header that goes with it. */
export interface MultipartBody {
  body: Buffer
  contentType: string
  boundary: string
}

const CRLF = '\r\n'

/** A browser-style boundary: long and random, so it cannot plausibly occur in the content. */
function randomBoundary(): string {
  return `----WxEmulatorFormBoundary${randomBytes(12).toString('hex')}`
}

/** Quotes, CR and LF cannot appear raw in a header parameter; browsers percent-encode them. */
function escapeHeaderParam(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function partHeader(boundary: string, disposition: string, contentType?: string): string {
  const typeLine = contentType ? `Content-Type: ${contentType}${CRLF}` : ''
  return `--${boundary}${CRLF}Content-Disposition: form-data; ${disposition}${CRLF}${typeLine}${CRLF}`
}

function assemble(input: MultipartInput, boundary: string): Buffer {
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(input.fields ?? {})) {
    chunks.push(Buffer.from(partHeader(boundary, `name="${escapeHeaderParam(name)}"`), 'utf8'))
    chunks.push(Buffer.from(`${value}${CRLF}`, 'utf8'))
  }
  const file = input.file
  if (file) {
    const disposition = `name="${escapeHeaderParam(file.fieldName)}"; filename="${escapeHeaderParam(file.fileName)}"`
    chunks.push(Buffer.from(partHeader(boundary, disposition, file.contentType ?? 'application/octet-stream'), 'utf8'))
    chunks.push(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength))
    chunks.push(Buffer.from(CRLF, 'utf8'))
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'utf8'))
  return Buffer.concat(chunks)
}

/** Encodes form fields and a file as `multipart/form-data`. */
export function encodeMultipart(input: MultipartInput): MultipartBody {
  let boundary = input.boundary ?? randomBoundary()
  let body = assemble(input, boundary)
  // A random boundary that happens to occur inside the file would corrupt the body: pick another.
  while (!input.boundary && contentContains(input, boundary)) {
    boundary = randomBoundary()
    body = assemble(input, boundary)
  }
  return { body, boundary, contentType: `multipart/form-data; boundary=${boundary}` }
}

function contentContains(input: MultipartInput, boundary: string): boolean {
  const needle = Buffer.from(`--${boundary}`, 'utf8')
  if (input.file && Buffer.from(input.file.bytes).includes(needle)) return true
  return Object.values(input.fields ?? {}).some((value) => value.includes(`--${boundary}`))
}
