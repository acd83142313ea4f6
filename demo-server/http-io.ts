/** Reading request bodies and writing answers on Node's `http`. */
import type { IncomingMessage, ServerResponse } from 'http'
import { MAX_FILE_BYTES } from './multipart'

/** The largest body accepted: one photo plus room for the multipart framing and form fields. */
export const MAX_BODY_BYTES = MAX_FILE_BYTES + 1024 * 1024

/** Headers on every answer: the uni-app H5 target calls the server from a browser. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Idempotent-Replayed',
}

/** Thrown by {@link readBody} when the connection closed before the body ended. */
export class BodyAbortedError extends Error {
  constructor() {
    super('the connection closed before the request body ended')
    this.name = 'BodyAbortedError'
  }
}

/**
 * Reads a whole body.
 *
 * @returns the bytes, or `undefined` when they exceed `limit` (the rest is not read).
 * @throws {@link BodyAbortedError} when the connection closes first.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (result: Buffer | undefined | Error): void => {
      if (done) return
      done = true
      if (result instanceof Error) reject(result)
      else resolve(result)
    }
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        request.pause()
        finish(undefined)
      } else chunks.push(chunk)
    })
    request.on('end', () => finish(Buffer.concat(chunks)))
    request.on('error', () => finish(new BodyAbortedError()))
    // 'close' without 'end': the socket went away (or the server is closing) mid-body.
    request.on('close', () => finish(new BodyAbortedError()))
  })
}

/** Writes an answer with a content length and the CORS headers. */
export function sendAnswer(response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (response.headersSent || response.destroyed) return
  response.writeHead(status, { ...CORS_HEADERS, ...headers, 'content-length': String(body.length) })
  response.end(body)
}
