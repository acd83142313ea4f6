/**
 * The request one entry becomes: a real `http.IncomingMessage` (so
 * Express, Koa and body parsers treat it as any other), with the entry's
 * method, path, headers and body, the batch request's caller headers, and
 * the entry's key. Its socket is a stand-in that reports the batch
 * connection's addresses but is never read, written or closed: a handler
 * that destroys "its" socket must not cut the batch connection.
 */
import { EventEmitter } from 'events'
import { IncomingMessage, type IncomingHttpHeaders } from 'http'
import type { Socket } from 'net'
import type { ResolvedBatchOptions } from './batch-options'
import type { BatchEntry } from './batch-wire'

/** Marks sub-requests, so a batch endpoint reached by one refuses to nest. */
const SUB_REQUEST = Symbol.for('miniprogram-offline.batch-sub-request')

/** Batch request headers never copied onto a sub-request: framing, the batch's own content, conditionals, compression (the answer is read as bytes). */
const NOT_FORWARDED = new Set([
  'content-length', 'content-type', 'content-encoding', 'content-md5', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade',
  'expect', 'te', 'trailer', 'proxy-connection', 'accept-encoding', 'if-match', 'if-none-match', 'if-modified-since',
  'if-unmodified-since', 'if-range', 'range',
])

/** The socket a sub-request appears to come on: the batch connection's addresses, and nothing else. */
class SubSocket extends EventEmitter {
  readable = true
  writable = true
  destroyed = false
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  readonly remoteFamily: string | undefined
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  readonly encrypted: boolean | undefined

  constructor(real: Socket | null | undefined) {
    super()
    this.remoteAddress = real?.remoteAddress
    this.remotePort = real?.remotePort
    this.remoteFamily = real?.remoteFamily
    this.localAddress = real?.localAddress
    this.localPort = real?.localPort
    this.encrypted = (real as { encrypted?: boolean } | null | undefined)?.encrypted
  }

  resume(): this {
    return this
  }

  pause(): this {
    return this
  }

  setTimeout(): this {
    return this
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  address(): { address?: string; port?: number } {
    return { address: this.localAddress, port: this.localPort }
  }

  destroy(): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.readable = false
    this.writable = false
    process.nextTick(() => this.emit('close', false))
    return this
  }
}

/** Whether `req` is a sub-request of a batch. */
export function isSubRequest(req: IncomingMessage): boolean {
  return (req as unknown as Record<symbol, unknown>)[SUB_REQUEST] === true
}

/** The entry's body as bytes: a string as is, any other JSON value as JSON text. */
export function entryBodyBytes(entry: BatchEntry): Buffer | undefined {
  if (entry.body === undefined) return undefined
  return Buffer.from(typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body), 'utf8')
}

/** The sub-request's headers: the batch's caller headers, under the entry's own, then the key and the body's framing. */
export function subRequestHeaders(entry: BatchEntry, batchHeaders: IncomingHttpHeaders, body: Buffer | undefined, options: ResolvedBatchOptions): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(batchHeaders)) {
    if (value !== undefined && !NOT_FORWARDED.has(name) && name !== options.keyHeader) headers[name] = value
  }
  // parseBatch already refused auth, framing and key headers in an entry.
  Object.assign(headers, entry.headers)
  // The answer is read as bytes, so it must not come compressed.
  delete headers['accept-encoding']
  headers[options.keyHeader] = entry.key
  if (body !== undefined) {
    // wx.request's default content type; a form body travels as a string with its own.
    headers['content-type'] ??= 'application/json'
    headers['content-length'] = String(body.length)
  }
  return headers
}

function rawHeadersOf(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const item of value) raw.push(name, item)
    else if (value !== undefined) raw.push(name, value)
  }
  return raw
}

/** Builds the sub-request for `entry`, its body already buffered and ended. */
export function createSubRequest(entry: BatchEntry, batchReq: IncomingMessage, options: ResolvedBatchOptions): IncomingMessage {
  const body = entryBodyBytes(entry)
  const req = new IncomingMessage(new SubSocket(batchReq.socket) as unknown as Socket)
  req.method = entry.method
  req.url = entry.path
  req.httpVersion = '1.1'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.headers = subRequestHeaders(entry, batchReq.headers, body, options)
  req.rawHeaders = rawHeadersOf(req.headers)
  ;(req as unknown as Record<symbol, unknown>)[SUB_REQUEST] = true
  // The body is all here: reading must not touch the stand-in socket.
  req._read = () => undefined
  if (body !== undefined && body.length > 0) req.push(body)
  req.push(null)
  // As the HTTP parser would after the last byte; body parsers read until the stream ends.
  req.complete = true
  return req
}
