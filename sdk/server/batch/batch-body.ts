/** Getting the batch request's body: what a body parser left, or the bytes, within `maxBytes`. */
import type { IncomingMessage } from 'http'
import { BodyTooLargeError, readBody } from '../read-body'
import type { BatchBody } from './batch-core'

/** The body, `'too-large'` past `maxBytes`, or `'gone'` when the caller went away while sending it. */
export async function batchBodyOf(req: IncomingMessage, parsed: unknown, maxBytes: number): Promise<BatchBody | 'too-large' | 'gone'> {
  if (parsed !== undefined) {
    const declared = Number(req.headers['content-length'])
    return { kind: 'parsed', value: parsed, bytes: Number.isFinite(declared) ? declared : 0 }
  }
  // A parser that did not understand the content type may still have read the stream.
  if (req.readableEnded) return { kind: 'bytes', bytes: Buffer.alloc(0) }
  try {
    return { kind: 'bytes', bytes: await readBody(req, maxBytes) }
  } catch (error) {
    return error instanceof BodyTooLargeError ? 'too-large' : 'gone'
  }
}
