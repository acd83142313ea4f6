import { InvalidArgumentError } from '../errors'

/**
 * The one set of rules for what a request may say, shared by writes
 * (`request`, `uploadFile`, task steps, `Queue`) and reads (`get`, `image`,
 * manifests), so the two sides never disagree on a URL or a header.
 *
 * URLs: absolute `http://` or `https://`, a non-empty host, an optional port
 * from 1 to 65535, then path, query and fragment. Refused anywhere in the
 * URL: whitespace, control characters, `\` (a browser would rewrite it, so
 * the server would see another URL than the one stored) and lone
 * surrogates (they cannot be encoded). Refused in the authority:
 * credentials (`user:password@host`), because an accepted write is stored on
 * the phone as given and credentials must never be at rest; send them in a
 * header from the `headers` provider instead. Non-ASCII text in the path or
 * query (`?q=王记`) is allowed: the runtime encodes it.
 *
 * Headers: names are HTTP tokens (RFC 9110: letters, digits and
 * ``!#$%&'*+-.^_`|~``); values are strings with no control character other
 * than tab, so no CR or LF can smuggle in a second header.
 */

/** An absolute http(s) URL, split; nothing is normalised except the scheme's case. */
export interface RequestUrl {
  /** `http` or `https`, lower case. */
  scheme: 'http' | 'https'
  /** As written (case kept), without the port; `[...]` for IPv6. */
  host: string
  /** The port as written, or `''` when none. */
  port: string
  /** From the first `/` after the authority; `''` when none. */
  path: string
  /** Without the `?`; `''` when none. */
  query: string
  /** Without the `#`; `''` when none. */
  fragment: string
}

const SCHEME = /^(https?):\/\//i
/** A registered name or IPv4 address: anything but delimiters (controls and spaces are refused before). */
const REG_NAME = /^[^:/?#[\]@\\%]+$/
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/
const PORT = /^[0-9]{1,5}$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** True unless `text` holds a lone (unpaired) surrogate, which no encoding can carry. */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i += 1
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false
    }
  }
  return true
}

/** The user's own characters: code points, so `'🚚'` is 1 and `'客'` is 1. */
export function countCharacters(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i += 1
    count += 1
  }
  return count
}

/** True when `text` holds a C0 control character or DEL; `allowTab` lets HTAB through (header values). */
export function hasControlCharacter(text: string, allowTab = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if ((code < 0x20 && !(allowTab && code === 0x09)) || code === 0x7f) return true
  }
  return false
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value)
}

/** Why `url` cannot be requested, or `undefined` when it can. */
export function urlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return `must be an absolute http(s) URL string, got ${show(url)}`
  const scheme = SCHEME.exec(url)
  if (!scheme) return `must be an absolute http(s) URL (http:// or https://), got ${show(url)}`
  if (/\s/.test(url) || hasControlCharacter(url)) return `must not contain spaces or control characters (percent-encode them), got ${show(url)}`
  if (url.includes('\\')) return `must not contain "\\", got ${show(url)}`
  if (!isWellFormed(url)) return 'must not contain a lone surrogate'
  const rest = url.slice(scheme[0].length)
  const authority = rest.slice(0, firstOf(rest, '/?#'))
  if (authority.includes('@')) return 'must not contain credentials (user:password@): they would be stored on the phone; send them in a header from the headers provider'
  const { host, port } = splitAuthority(authority)
  if (host === '') return `must have a host, got ${show(url)}`
  if (!(IPV6.test(host) || REG_NAME.test(host))) return `has an invalid host ${show(host)}`
  if (port !== undefined && !(PORT.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return `has an invalid port ${show(port)} (1 to 65535)`
  return undefined
}

/** Splits an absolute http(s) URL; `undefined` when {@link urlProblem} finds a problem. */
export function parseRequestUrl(url: unknown): RequestUrl | undefined {
  if (urlProblem(url) !== undefined) return undefined
  const text = url as string
  const schemeLength = (SCHEME.exec(text) as RegExpExecArray)[0].length
  const rest = text.slice(schemeLength)
  const authorityEnd = firstOf(rest, '/?#')
  const { host, port } = splitAuthority(rest.slice(0, authorityEnd))
  const afterAuthority = rest.slice(authorityEnd)
  const hash = afterAuthority.indexOf('#')
  const beforeHash = hash < 0 ? afterAuthority : afterAuthority.slice(0, hash)
  const question = beforeHash.indexOf('?')
  return {
    scheme: text.slice(0, schemeLength - 3).toLowerCase() as RequestUrl['scheme'],
    host,
    port: port ?? '',
    path: question < 0 ? beforeHash : beforeHash.slice(0, question),
    query: question < 0 ? '' : beforeHash.slice(question + 1),
    fragment: hash < 0 ? '' : afterAuthority.slice(hash + 1),
  }
}

/**
 * Checks a URL against the vocabulary.
 * @param what - names the URL in the message, e.g. `url` or `upload url`.
 * @throws {@link InvalidArgumentError} naming what is wrong.
 */
export function assertRequestUrl(url: unknown, what = 'url'): RequestUrl {
  const problem = urlProblem(url)
  if (problem !== undefined) throw new InvalidArgumentError(`${what} ${problem}`)
  return parseRequestUrl(url) as RequestUrl
}

/** True when `name` is an HTTP token, as a header name must be. */
export function isHttpToken(name: unknown): name is string {
  return typeof name === 'string' && TOKEN.test(name)
}

/**
 * Checks headers against the vocabulary: a plain object whose names are
 * HTTP tokens and whose values are strings without CR, LF or other
 * control characters (tab allowed).
 * @param what - names the headers in messages, e.g. `header` or `headers`.
 * @throws {@link InvalidArgumentError} naming the first bad header.
 */
export function checkHeaderFields(header: unknown, what = 'header'): Record<string, string> {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InvalidArgumentError(`${what} must be an object of header names to string values`)
  }
  for (const [name, value] of Object.entries(header)) {
    if (!isHttpToken(name)) throw new InvalidArgumentError(`${what} name ${JSON.stringify(name)} is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`)
    if (typeof value !== 'string') throw new InvalidArgumentError(`${what} "${name}" must be a string, got ${show(value)}`)
    if (hasControlCharacter(value, true)) throw new InvalidArgumentError(`${what} "${name}" must not contain CR, LF or other control characters`)
  }
  return header as Record<string, string>
}

function firstOf(text: string, delimiters: string): number {
  for (let i = 0; i < text.length; i++) if (delimiters.includes(text[i])) return i
  return text.length
}

/** `host[:port]`, with `[v6]:port` understood; `port` undefined when there is no `:`. */
function splitAuthority(authority: string): { host: string; port: string | undefined } {
  const colon = authority.startsWith('[') ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':')
  if (colon < 0) return { host: authority, port: undefined }
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) }
}
