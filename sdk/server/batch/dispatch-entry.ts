/**
 * One entry, run through the app's own handler in process: the same
 * routes, middleware and idempotency memory as a request on the wire.
 */
import type { IncomingMessage } from 'http'
import type { AppHandler, ResolvedBatchOptions } from './batch-options'
import type { AttemptedResult, BatchEntry } from './batch-wire'
import { captureResponse } from './captured-response'
import { ownResult, toResult } from './entry-result'
import { createSubRequest } from './sub-request'

const JSON_TYPE = 'application/json; charset=utf-8'

const errorBody = (error: string): Buffer => Buffer.from(JSON.stringify({ error }), 'utf8')

/**
 * Runs `entry` through `handler` and resolves with its result. Never
 * rejects: a handler that throws is a 500 result, one that does not answer
 * within the timeout a 504 (both 5xx: the client retries them, and the
 * idempotency middleware stores neither).
 */
export async function dispatchEntry(entry: BatchEntry, batchReq: IncomingMessage, handler: AppHandler, options: ResolvedBatchOptions): Promise<AttemptedResult> {
  let req: IncomingMessage
  try {
    req = createSubRequest(entry, batchReq, options)
  } catch {
    return ownResult(entry.key, 400, 'the entry cannot be made into a request')
  }
  const captured = captureResponse(req)
  const timer = setTimeout(() => {
    captured.abandon({ status: 504, headers: { 'content-type': JSON_TYPE }, body: errorBody(`no answer within ${options.entryTimeoutMs} ms`) })
  }, options.entryTimeoutMs)
  const failed = (): void => captured.abandon({ status: 500, headers: { 'content-type': JSON_TYPE }, body: errorBody('internal error') })
  try {
    const returned = handler(req, captured.res)
    if (returned instanceof Promise) returned.catch(failed)
  } catch {
    failed()
  }
  try {
    return toResult(entry.key, await captured.answer)
  } finally {
    clearTimeout(timer)
  }
}
