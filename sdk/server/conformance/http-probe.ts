/** The kit's HTTP client: one request, read whole, never rejecting. */
import * as http from 'http'
import * as https from 'https'
import { InvalidArgumentError } from '../../errors'

/** A request the kit sends. */
export interface ProbeRequest {
  url: string
  method: string
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}

/** What came back; `status` 0 when there was no answer (connection error, timeout). */
export interface ProbeAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** The transport error, when there was no answer. */
  error?: string
}

/** Sends one request; never rejects. */
export function probe(request: ProbeRequest): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const target = new URL(request.url)
    const client = target.protocol === 'https:' ? https : http
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8')
    const headers = { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) }
    const outgoing = client.request(target, { method: request.method, headers, timeout: request.timeoutMs, agent: false }, (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('end', () => {
        const flat: Record<string, string> = {}
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
        resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) })
      })
      incoming.on('error', (error) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: error.message }))
    })
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)))
    outgoing.on('error', (error) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: error.message }))
    outgoing.end(body)
  })
}

/** Reads a count: a number, `{ count }`, an array's length, or an object's only number. */
export function parseCount(text: string): number | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value === 'number') return value
  if (Array.isArray(value)) return value.length
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    if (typeof record.count === 'number') return record.count
    const numbers = Object.values(record).filter((v): v is number => typeof v === 'number')
    if (numbers.length === 1) return numbers[0]
  }
  return undefined
}

/** An absolute http(s) URL the kit probes, or a typed error naming the bad value. */
export function probeUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InvalidArgumentError(`url is not a URL: ${String(text)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`url must be http(s): ${text}`)
  return url
}
