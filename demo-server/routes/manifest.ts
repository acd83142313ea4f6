/** The precache manifest the demo installs, and the admin route that moves its version on. */
import type { ReadRoute, Route } from '../router'
import { jsonRaw } from '../router'

/** `GET /manifest.json`: the SDK's `ManifestDocument`, URLs relative to the manifest. */
export interface DemoManifest {
  version: string
  cache: string[]
  network: string[]
  fallback: Array<{ pattern: string; fallback: string }>
}

/** The manifest for a version number. */
export function manifestFor(version: number): DemoManifest {
  return {
    version: `v${version}`,
    cache: ['/customers', '/routes/today', '/static/logo.png', '/static/parcel.png', '/static/map-offline.png'],
    // Never cached: the health check and the admin routes.
    network: ['/health', '/admin/'],
    // A map tile that was not kept shows the "map offline" image instead.
    fallback: [{ pattern: '/static/map-tiles/', fallback: '/static/map-offline.png' }],
  }
}

const readManifest: ReadRoute = {
  method: 'GET',
  pattern: '/manifest.json',
  summary: '{ version, cache: [urls], network: [patterns], fallback: [{ pattern, fallback }] }',
  read: (_, { db }) => jsonRaw(200, manifestFor(db.manifestVersion())),
}

/** `GET /manifest.json`, `POST /admin/manifest/bump`. */
export const manifestRoutes: Route[] = [
  readManifest,
  {
    method: 'POST',
    pattern: '/admin/manifest/bump',
    summary: 'moves the manifest version on -> { version }',
    control: true,
    prepare: (_, { db }) => ({
      apply: () => ({ status: 200, body: { version: `v${db.bumpManifestVersion()}` } }),
    }),
  },
]
