/** Reading a request body when no body parser did, for the fingerprint. */
import type { IncomingMessage } from 'http'

/** The default largest body read: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Thrown by {@link readBody} when the body exceeds the limit (answered 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/** Reads the whole body. @throws BodyTooLargeError past `limit`; the stream's error when the client goes away. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (result: Buffer | Error): void => {
      if (done) return
      done = true
      if (result instanceof Error) reject(result)
      else resolve(result)
    }
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        request.pause()
        finish(new BodyTooLargeError(limit))
      } else chunks.push(chunk)
    })
    request.on('end', () => finish(Buffer.concat(chunks)))
    request.on('error', (error) => finish(error))
    request.on('close', () => finish(new Error('the connection closed before the request body ended')))
  })
}

/** The body as a handler expects it after a JSON body parser: parsed JSON for JSON types, the bytes otherwise. */
export function asParsedBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined && /[/+]json\b/i.test(contentType) && bytes.length > 0) {
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown
    } catch {
      return bytes
    }
  }
  return bytes
}
