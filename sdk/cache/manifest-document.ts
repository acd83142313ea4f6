import { InvalidArgumentError } from '../errors'
import { assertHttpUrl, canonicalUrl, parseHttpUrl, resolveUrl, urlExtension, type HttpUrl } from './http-url'

/** A manifest resource with an explicit kind. */
export interface ManifestResource {
  url: string
  /**
   * `'file'`: downloaded with `wx.downloadFile` and kept as a file (for
   * `offline.image()`); `'response'`: fetched with `wx.request` and kept in
   * storage (for `offline.get()`). Default: `'file'` for image, media, font
   * and PDF extensions, `'response'` otherwise.
   */
  as?: 'file' | 'response'
}

/**
 * A precache manifest: AppCache's CACHE, NETWORK and FALLBACK sections as
 * JSON, with an explicit version.
 *
 * @example
 * ```json
 * {
 *   "version": "2024-06-01.3",
 *   "cache": ["/api/customers", "/api/route/today", "/static/map-tiles/12-3401-1570.png"],
 *   "network": ["/api/live/"],
 *   "fallback": [{ "pattern": "/static/map-tiles/", "fallback": "/static/map-offline.png" }]
 * }
 * ```
 */
export interface ManifestDocument {
  /** Any change downloads the whole set again; the same version is `noupdate`. */
  version: string
  /** Resources to keep (AppCache's CACHE). */
  cache: Array<string | ManifestResource>
  /** URL prefixes (`*` wildcards allowed, a lone `*` for all) never cached (AppCache's NETWORK). */
  network?: string[]
  /** When a read under `pattern` fails and nothing is kept, `fallback` (kept with the set) is served instead. */
  fallback?: Array<{ pattern: string; fallback: string }>
}

/** Where the manifest comes from: the URL of a JSON {@link ManifestDocument}, or the document itself. */
export type ManifestSource = string | ManifestDocument

/** One resource to download, resolved. */
export interface PlannedResource {
  /** The URL to download. */
  url: string
  /** Its canonical form, which reads are matched on. */
  key: string
  kind: 'response' | 'file'
}

/** A checked manifest with every URL resolved. */
export interface ResolvedManifest {
  version: string
  resources: PlannedResource[]
  /** Resolved patterns. */
  network: string[]
  /** Resolved patterns, each with the canonical URL of its fallback resource. */
  fallback: Array<{ pattern: string; fallback: string }>
}

const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'ico', 'pdf', 'mp3', 'mp4', 'm4a', 'aac', 'wav', 'mov', 'webm', 'ttf', 'otf', 'woff', 'woff2'])
const MAX_VERSION_LENGTH = 128

function fail(where: string, problem: string): never {
  throw new InvalidArgumentError(`${where}: ${problem}`)
}

function resolveIn(where: string, path: string, reference: unknown, base: HttpUrl | undefined): string {
  if (typeof reference !== 'string' || reference === '') fail(where, `${path} must be a non-empty string`)
  const resolved = resolveUrl(reference, base)
  if (resolved === undefined) fail(where, `${path} must be an absolute http(s) URL${base ? ' or relative to the manifest' : ''}, got ${JSON.stringify(reference)}`)
  return resolved
}

function resolvePattern(where: string, path: string, pattern: unknown, base: HttpUrl | undefined): string {
  if (pattern === '*') return '*'
  if (typeof pattern === 'string' && pattern.includes('*')) {
    const [head, ...rest] = pattern.split('*')
    return [head === '' ? '' : resolveIn(where, path, head, base), ...rest].join('*')
  }
  return resolveIn(where, path, pattern, base)
}

function planResource(url: string, as: ManifestResource['as']): PlannedResource {
  const kind = as ?? (FILE_EXTENSIONS.has(urlExtension(url)) ? 'file' : 'response')
  return { url, key: canonicalUrl(parseHttpUrl(url) as HttpUrl), kind }
}

function arrayAt(where: string, doc: Record<string, unknown>, field: string, required: boolean): unknown[] {
  const value = doc[field]
  if (value === undefined && !required) return []
  if (!Array.isArray(value)) fail(where, `${field} must be an array`)
  return value
}

/**
 * Checks a manifest and resolves its URLs (relative ones against
 * `manifestUrl`, as AppCache does). Duplicates are kept once; fallback
 * resources are kept with the set.
 *
 * @param where - names the source in error messages.
 * @throws {@link InvalidArgumentError} for a malformed manifest.
 */
export function resolveManifest(document: unknown, where: string, manifestUrl?: string): ResolvedManifest {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) fail(where, 'a manifest must be an object with version and cache')
  const doc = document as Record<string, unknown>
  const base = manifestUrl === undefined ? undefined : parseHttpUrl(manifestUrl)
  const { version } = doc
  if (typeof version !== 'string' || version === '' || version.length > MAX_VERSION_LENGTH) {
    fail(where, `version must be a non-empty string of at most ${MAX_VERSION_LENGTH} characters`)
  }
  const byKey = new Map<string, PlannedResource>()
  const add = (resource: PlannedResource): void => {
    if (!byKey.has(resource.key)) byKey.set(resource.key, resource)
  }
  arrayAt(where, doc, 'cache', true).forEach((entry, i) => {
    const isObject = typeof entry === 'object' && entry !== null
    const as = isObject ? (entry as ManifestResource).as : undefined
    if (as !== undefined && as !== 'file' && as !== 'response') fail(where, `cache[${i}].as must be "file" or "response"`)
    add(planResource(resolveIn(where, `cache[${i}]${isObject ? '.url' : ''}`, isObject ? (entry as ManifestResource).url : entry, base), as))
  })
  const network = arrayAt(where, doc, 'network', false).map((pattern, i) => resolvePattern(where, `network[${i}]`, pattern, base))
  const fallback = arrayAt(where, doc, 'fallback', false).map((entry, i) => {
    if (typeof entry !== 'object' || entry === null) fail(where, `fallback[${i}] must be { pattern, fallback }`)
    const { pattern, fallback: target } = entry as { pattern: unknown; fallback: unknown }
    const planned = planResource(resolveIn(where, `fallback[${i}].fallback`, target, base), undefined)
    add(planned)
    return { pattern: resolvePattern(where, `fallback[${i}].pattern`, pattern, base), fallback: planned.key }
  })
  return { version, resources: [...byKey.values()], network, fallback }
}

/**
 * Checks a source before anything is sent: a URL must be http(s), a
 * document must be well formed, `null` withdraws.
 * @throws {@link InvalidArgumentError} otherwise.
 */
export function assertManifestSource(source: unknown): asserts source is ManifestSource | null {
  if (source === null) return
  if (typeof source === 'string') assertHttpUrl(source, 'manifest URL')
  else if (typeof source === 'object') resolveManifest(source, 'manifest')
  else throw new InvalidArgumentError('manifest() takes a URL, a manifest object, or null to withdraw it')
}
