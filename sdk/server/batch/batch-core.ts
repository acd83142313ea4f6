/**
 * The framework-free batch endpoint: from the batch request and its body
 * to the batch answer. The Express/`node:http` and Koa forms are thin
 * layers over it.
 */
import type { IncomingMessage } from 'http'
import type { AppHandler, ResolvedBatchOptions } from './batch-options'
import type { BatchResponseBody } from './batch-wire'
import { dispatchEntry } from './dispatch-entry'
import { runLanes } from './lane-runner'
import { parseBatch } from './parse-batch'
import { isSubRequest } from './sub-request'

/** The batch endpoint's own answer: 200 with the results, or its refusal. */
export type BatchAnswer = { status: 200; body: BatchResponseBody } | { status: 400 | 413; body: { error: string } }

/** The batch body as a framework hands it over: bytes to parse, or what a body parser already made. */
export type BatchBody = { kind: 'bytes'; bytes: Buffer } | { kind: 'parsed'; value: unknown; bytes: number }

/** The body's JSON value and size, or `undefined` when it is not JSON. */
function jsonOf(body: BatchBody): { value: unknown; bytes: number } | undefined {
  if (body.kind === 'parsed') {
    const { value } = body
    if (typeof value === 'string' || Buffer.isBuffer(value)) return jsonOf({ kind: 'bytes', bytes: Buffer.from(value) })
    return { value, bytes: body.bytes }
  }
  try {
    return { value: JSON.parse(body.bytes.toString('utf8')) as unknown, bytes: body.bytes.length }
  } catch {
    return undefined
  }
}

/**
 * Answers one batch request: checks it, runs its entries lane by lane
 * through `handler`, and collects one result per entry in order.
 * `stillWanted` turns false when the caller went away: entries not yet
 * started are then left (their retry will run them).
 */
export async function answerBatch(
  batchReq: IncomingMessage,
  body: BatchBody,
  handler: AppHandler,
  options: ResolvedBatchOptions,
  stillWanted: () => boolean,
): Promise<BatchAnswer> {
  if (isSubRequest(batchReq)) return { status: 400, body: { error: 'a batch cannot contain a batch' } }
  if (body.kind === 'bytes' && body.bytes.length > options.maxBytes) {
    return { status: 413, body: { error: `the batch is over the limit of ${options.maxBytes} bytes` } }
  }
  const json = jsonOf(body)
  if (json === undefined) return { status: 400, body: { error: 'the body is not JSON' } }
  const parsed = parseBatch(json.value, json.bytes, options)
  if (!parsed.ok) return { status: parsed.status, body: { error: parsed.error } }
  const results = await runLanes(parsed.entries, (entry) => dispatchEntry(entry, batchReq, handler, options), options.laneConcurrency, stillWanted)
  return { status: 200, body: { results } }
}
