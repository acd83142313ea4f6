/**
 * The manifest's lifecycle, after AppCache's `window.applicationCache`:
 *
 * ```
 * first version:   checking → downloading → progress × n → cached          (status IDLE)
 * same version:    checking → noupdate                                     (status IDLE)
 * later version:   checking → downloading → progress × n → updateready     (status UPDATEREADY)
 * withdrawn:       checking → obsolete                                     (status OBSOLETE)
 * any failure:     ... → error            (the version served before is still served, whole)
 * ```
 */

/** `offline.manifest.status`, named as AppCache names them. */
export type ManifestStatus = 'UNCACHED' | 'IDLE' | 'CHECKING' | 'DOWNLOADING' | 'UPDATEREADY' | 'OBSOLETE'

/** How a successful `offline.manifest.update()` ended. */
export type ManifestOutcome = 'cached' | 'noupdate' | 'updateready' | 'obsolete'

/** Events of `offline.manifest.on()`, by name. */
export interface ManifestEvents {
  /** Fetching or reading the manifest to compare versions. */
  checking: Record<string, never>
  /** The version is the one served: nothing to download. */
  noupdate: { version: string }
  /** A new version's resources are being downloaded beside the served one. */
  downloading: { version: string; total: number }
  /** One more resource is kept. */
  progress: { loaded: number; total: number; url: string }
  /** The first version is kept and served. */
  cached: { version: string }
  /**
   * A later version is kept and was swapped in at once: from this event on,
   * every read gets the new version. Re-read what the page shows.
   */
  updateready: { version: string; previousVersion: string }
  /** The manifest was withdrawn (`manifest(null)`, or its URL answered 404 or 410): the kept set is removed. */
  obsolete: { previousVersion?: string }
  /** The check or the download failed; the version served before (if any) is still served, whole. */
  error: { error: Error }
}
