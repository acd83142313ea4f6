import type { ManifestDocument } from 'miniprogram-offline'
import type { RecordedRequest, ScriptedResponse } from '../support/test-server'

/**
 * The read side of the server, for `offline.get` and `offline.manifest`:
 *
 * - `/api/r<i>`: a record the app reads through the cache; every answer has a
 *   new `rev`, so a cached copy names the answer it came from;
 * - `/api/m<i>?v=N` and `/static/f<i>.png?v=N`: version N of the precache
 *   set (a JSON record and an image), versioned by URL as real manifests
 *   are, so a copy always says which version it belongs to.
 */

export const READ_PATHS = ['/api/r0', '/api/r1'] as const
const MANIFEST_RECORDS = ['/api/m0', '/api/m1'] as const
const MANIFEST_IMAGES = ['/static/f0.png'] as const

/** A record the app reads, as the server answers it. */
export interface ReadBody {
  path: string
  rev: number
}

/** A precached record, as the server answers it. */
export interface ManifestBody {
  path: string
  version: string
}

/** The bytes of a precached image: they start with the version. */
export function imageBytes(path: string, version: string): Buffer {
  return Buffer.from(`${version}:${path}:`.padEnd(1024, '#'))
}

export class ReadSite {
  /** The newest version published (0: none yet). */
  published = 0
  private rev = 0
  /** Every body the server gave per read path, as JSON: a cached copy must be one of them, whole. */
  readonly given = new Map<string, Set<string>>()

  constructor(private readonly baseUrl: string) {}

  url(path: string): string {
    return `${this.baseUrl}${path}`
  }

  /** Publishes the next version; returns its manifest. */
  publishNext(): ManifestDocument {
    this.published += 1
    return this.document(this.published)
  }

  document(version: number): ManifestDocument {
    return {
      version: `v${version}`,
      cache: [
        ...MANIFEST_RECORDS.map((path) => ({ url: this.url(`${path}?v=${version}`), as: 'response' as const })),
        ...MANIFEST_IMAGES.map((path) => ({ url: this.url(`${path}?v=${version}`), as: 'file' as const })),
      ],
    }
  }

  /** The records (URL, path) and images of version `version`. */
  manifestRecords(version: string): Array<{ url: string; path: string }> {
    return MANIFEST_RECORDS.map((path) => ({ url: this.url(`${path}?v=${version.slice(1)}`), path }))
  }

  manifestImages(version: string): Array<{ url: string; path: string }> {
    return MANIFEST_IMAGES.map((path) => ({ url: this.url(`${path}?v=${version.slice(1)}`), path }))
  }

  /** Answers a read-side request; `undefined` when it is not one. */
  answer(request: RecordedRequest): ScriptedResponse | undefined {
    if ((READ_PATHS as readonly string[]).includes(request.path)) {
      const body: ReadBody = { path: request.path, rev: ++this.rev }
      const given = this.given.get(request.path) ?? new Set<string>()
      given.add(JSON.stringify(body))
      this.given.set(request.path, given)
      return { body }
    }
    const version = `v${request.query.v ?? '?'}`
    if ((MANIFEST_RECORDS as readonly string[]).includes(request.path)) {
      const body: ManifestBody = { path: request.path, version }
      return { body }
    }
    if ((MANIFEST_IMAGES as readonly string[]).includes(request.path)) {
      return { body: imageBytes(request.path, version), headers: { 'content-type': 'image/png' } }
    }
    return undefined
  }
}
