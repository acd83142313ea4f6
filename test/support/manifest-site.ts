import type { ManifestDocument } from '../../sdk/cache'
import type { TestServer } from './test-server'

/** A site on the test server publishing versioned resources for a precache manifest. */
export interface ManifestSite {
  /** The version the server serves now. */
  readonly version: string
  /** Paths answered with JSON `{ version, path }` (kept as responses). */
  readonly responsePaths: readonly string[]
  /** Paths of `.png` files whose bytes name the version (kept as files). */
  readonly filePaths: readonly string[]
  /** Serves `version`'s content from now on. */
  publish(version: string): void
  /** The manifest of the current version, with absolute URLs; `extra` is merged in. */
  document(extra?: Partial<ManifestDocument>): ManifestDocument
  /** Makes `path` answer 500 (undefined: none). */
  failOn(path: string | undefined): void
  url(path: string): string
  /** The bytes of a file at a version. */
  fileBytes(path: string, version: string): Buffer
}

/**
 * Scripts `server`: `/api/*` resources answer their version, `/static/*.png`
 * files carry it in their bytes, and anything else falls back to the
 * server's default routes.
 */
export function createManifestSite(server: TestServer, counts: { responses?: number; files?: number } = {}): ManifestSite {
  const responsePaths = Array.from({ length: counts.responses ?? 4 }, (_, i) => `/api/r${i}`)
  const filePaths = Array.from({ length: counts.files ?? 2 }, (_, i) => `/static/f${i}.png`)
  let version = ''
  let failing: string | undefined
  const fileBytes = (path: string, at: string): Buffer => Buffer.from(`${at}:${path}:`.padEnd(2048, '#'))
  server.respondWith((request) => {
    if (request.path === failing) return { status: 500, body: { error: 'injected' } }
    if (responsePaths.includes(request.path)) return { body: { version, path: request.path } }
    return undefined
  })
  const site: ManifestSite = {
    get version() {
      return version
    },
    responsePaths,
    filePaths,
    publish(next) {
      version = next
      for (const path of filePaths) server.serveFile(path, fileBytes(path, next), 'image/png')
    },
    document: (extra = {}) => ({ version, cache: [...responsePaths, ...filePaths].map((path) => site.url(path)), ...extra }),
    failOn: (path) => (failing = path),
    url: (path) => `${server.url}${path}`,
    fileBytes,
  }
  site.publish('v1')
  return site
}
