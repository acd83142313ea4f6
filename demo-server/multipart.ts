/**
 * Decoding `multipart/form-data` (what `wx.uploadFile` sends) with busboy,
 * from a body already read into memory: the idempotency layer needs the whole
 * payload to hash it before anything is applied.
 */
import busboy from 'busboy'
import type { IncomingHttpHeaders } from 'http'

/** The largest file a multipart request may carry. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024

/** A file part. */
export interface UploadedFile {
  /** The form field name. */
  field: string
  /** The file name the client sent (may be empty). */
  filename: string
  mimeType: string
  bytes: Buffer
  /** True when the file was larger than {@link MAX_FILE_BYTES} and cut short. */
  truncated: boolean
}

/** A decoded multipart body. */
export interface MultipartBody {
  /** Non-file fields; a repeated name keeps its last value. */
  fields: Record<string, string>
  files: UploadedFile[]
}

/** Whether a request's content type is multipart/form-data. */
export function isMultipart(headers: IncomingHttpHeaders): boolean {
  return /^multipart\/form-data/i.test(headers['content-type'] ?? '')
}

/**
 * Decodes a multipart body.
 *
 * @throws when the body is not valid multipart (busboy's error).
 */
export function decodeMultipart(headers: IncomingHttpHeaders, raw: Buffer): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    const body: MultipartBody = { fields: {}, files: [] }
    const parser = busboy({ headers, defParamCharset: 'utf8', limits: { fileSize: MAX_FILE_BYTES } })
    parser.on('field', (name, value) => (body.fields[name] = value))
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = []
      const file: UploadedFile = { field, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.alloc(0), truncated: false }
      body.files.push(file)
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('limit', () => (file.truncated = true))
      stream.on('end', () => (file.bytes = Buffer.concat(chunks)))
    })
    parser.on('close', () => resolve(body))
    parser.on('error', reject)
    parser.end(raw)
  })
}
