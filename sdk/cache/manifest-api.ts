import type { Unsubscribe } from '../platform/platform'
import type { ManifestSource } from './manifest-document'
import type { ManifestEvents, ManifestOutcome, ManifestStatus } from './manifest-events'
import type { ManifestLifecycle } from './manifest-lifecycle'

/**
 * `offline.manifest`: call it to set the manifest (and check it at once);
 * its members follow AppCache's `window.applicationCache`.
 *
 * @example
 * ```ts
 * offline.manifest('https://api.example.com/offline-manifest.json')
 * offline.manifest.on('progress', ({ loaded, total }) => this.setData({ precache: `${loaded}/${total}` }))
 * offline.manifest.on('updateready', () => this.reload())
 * ```
 */
export interface ManifestApi {
  /**
   * Sets the manifest and checks it now: a URL of a JSON document, a
   * document in code, or `null` to withdraw it (the kept set is removed).
   * The outcome arrives as events; a failed check is an `error` event.
   *
   * @throws {@link InvalidArgumentError} for a malformed manifest object or a non-http(s) URL.
   */
  (source: ManifestSource | null): void
  /** Checks again now (or joins the check under way); rejects after the `error` event when it fails. */
  update(): Promise<ManifestOutcome>
  /** `UNCACHED`, `IDLE`, `CHECKING`, `DOWNLOADING`, `UPDATEREADY` or `OBSOLETE`. */
  readonly status: ManifestStatus
  /** The version served now, if any. */
  readonly version: string | undefined
  /** Listens to a lifecycle event; the returned function stops listening. */
  on<Name extends keyof ManifestEvents>(name: Name, listener: (payload: ManifestEvents[Name]) => void): Unsubscribe
}

/** The callable face of a {@link ManifestLifecycle}. */
export function createManifestApi(lifecycle: ManifestLifecycle): ManifestApi {
  const api = ((source: ManifestSource | null) => lifecycle.setSource(source)) as ManifestApi
  return Object.defineProperties(api, {
    update: { value: () => lifecycle.update() },
    status: { get: () => lifecycle.status, enumerable: true },
    version: { get: () => lifecycle.served?.version, enumerable: true },
    on: { value: <Name extends keyof ManifestEvents>(name: Name, listener: (payload: ManifestEvents[Name]) => void) => lifecycle.events.on(name, listener) },
  })
}
