import * as http from 'http'
import * as https from 'https'

/** One HTTP exchange, fully prepared (URL with query, headers, body bytes). */
export interface HttpExchange {
  url: URL
  method: string
  headers: Record<string, string>
  body?: Buffer
}

/** Whatever the server answered, any status. */
export interface HttpAnswer {
  statusCode: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** Either an answer or a transport error described the way WeChat does (`net::ERR_...`). */
export type HttpOutcome = { answer: HttpAnswer } | { error: string }

/** A running exchange; `destroy()` drops the connection and silences the outcome. */
export interface TransportHandle {
  destroy(): void
}

/** Node socket error codes mapped to the Chromium names WeChat puts in `errMsg`. */
const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'net::ERR_CONNECTION_REFUSED',
  ECONNRESET: 'net::ERR_CONNECTION_RESET',
  EPIPE: 'net::ERR_CONNECTION_RESET',
  ENOTFOUND: 'net::ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'net::ERR_NAME_NOT_RESOLVED',
  ETIMEDOUT: 'net::ERR_CONNECTION_TIMED_OUT',
  EHOSTUNREACH: 'net::ERR_ADDRESS_UNREACHABLE',
  ENETUNREACH: 'net::ERR_ADDRESS_UNREACHABLE',
}

function describeNetError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return (code && NET_ERRORS[code]) || 'net::ERR_FAILED'
}

/** Longest a free connection waits for reuse (the server's keep-alive hint, less 1 s, wins when shorter). */
const IDLE_CONNECTION_MS = 30_000

/**
 * The phone's connection pool: kept-alive connections reused across calls,
 * as a phone's network stack does, so a call does not pay a new TCP
 * handshake. {@link closeAll} ends every connection (a kill, a restart, the
 * end of a test).
 */
export class ConnectionPool {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    https: new https.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
  }

  agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.agents.https : this.agents.http
  }

  /** Destroys every open connection; the pool opens new ones on the next call. */
  closeAll(): void {
    this.agents.http.destroy()
    this.agents.https.destroy()
  }
}

/**
 * Sends one real HTTP(S) request through `pool` and reports exactly once,
 * asynchronously: the whole answer, or a transport error.
 */
export function sendHttp(exchange: HttpExchange, pool: ConnectionPool, report: (outcome: HttpOutcome) => void): TransportHandle {
  let finished = false
  const finish = (outcome: HttpOutcome): void => {
    if (finished) return
    finished = true
    report(outcome)
  }
  const client = exchange.url.protocol === 'https:' ? https : http
  let request: http.ClientRequest
  try {
    request = client.request(exchange.url, { method: exchange.method, headers: exchange.headers, agent: pool.agentFor(exchange.url) })
  } catch {
    // Invalid header characters and the like: Node refuses before connecting.
    setTimeout(() => finish({ error: 'net::ERR_INVALID_ARGUMENT' }), 0)
    return { destroy: () => (finished = true) }
  }
  request.on('response', (response) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('end', () =>
      finish({ answer: { statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) } }),
    )
    response.on('error', (error) => finish({ error: describeNetError(error) }))
    response.on('close', () => {
      if (!response.complete) finish({ error: 'net::ERR_CONNECTION_RESET' })
    })
  })
  request.on('error', (error) => finish({ error: describeNetError(error) }))
  request.end(exchange.body)
  return {
    destroy: () => {
      // After the outcome the connection is back in the pool (or already broken): leave it.
      if (finished) return
      finished = true
      request.destroy()
    },
  }
}
