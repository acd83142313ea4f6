import { HttpStatusError, QuotaExceededError, UnsupportedError } from '../errors'
import type { Platform } from '../platform/platform'
import type { DurableStore } from '../store'
import type { CacheFolder } from './cache-folder'
import { precachedKey } from './cache-keys'
import { encodeResponse, isCacheable } from './cached-response'
import { downloadToTemp } from './file-download'
import { hash53 } from '../util/hash'
import { urlExtension } from './http-url'
import type { ImageCache } from './image-cache'
import type { PlannedResource, ResolvedManifest } from './manifest-document'
import { precachedFileName, type StoredResource, type StoredVersion } from './precache-version'
import type { ResponseCache } from './response-cache'
import { runLimited } from './run-limited'

/** Manifest resources downloaded at once, leaving WeChat's other request slots to the app and the outbox. */
const DOWNLOAD_CONCURRENCY = 4

/** What the installer needs from the reader. */
export interface InstallerDeps {
  platform: Platform
  store: DurableStore
  /** Writes precached responses, evicting cached responses when storage is full. */
  responses: ResponseCache
  /** Makes room for precached files by evicting kept images. */
  images: ImageCache
  folder: CacheFolder
  headers(): Promise<Record<string, string>>
}

/** Told after each resource is kept. */
export type ProgressListener = (progress: { loaded: number; total: number; url: string }) => void

/**
 * Downloads a manifest's resources into a fresh version slot, beside the
 * version being served, which it never touches. It writes no pointer: the
 * caller swaps the new version in with one write, or removes the slot.
 */
export class PrecacheInstaller {
  private installing = 0

  constructor(private readonly deps: InstallerDeps) {}

  /** File bytes of an install under way: they count against the file budget already. */
  get installingBytes(): number {
    return this.installing
  }

  /**
   * Keeps every resource of `manifest` under `slot`. On any failure the
   * slot is removed and the failure rethrown.
   *
   * @returns the version record to swap in.
   */
  async install(manifest: ResolvedManifest, slot: number, onProgress: ProgressListener): Promise<StoredVersion> {
    const { resources } = manifest
    const { platform, folder } = this.deps
    const hasFiles = resources.some((resource) => resource.kind === 'file')
    if (hasFiles && !platform.capabilities.fileSystem) throw new UnsupportedError('fileSystem', platform.name)
    const kept: StoredResource[] = new Array(resources.length)
    const header = await this.deps.headers()
    let loaded = 0
    try {
      if (hasFiles) await folder.ensure(folder.precache(slot))
      await runLimited(resources, DOWNLOAD_CONCURRENCY, async (resource, index) => {
        kept[index] = resource.kind === 'file' ? await this.keepFile(resource, slot, header) : await this.keepResponse(resource, slot, header)
        loaded += 1
        onProgress({ loaded, total: resources.length, url: resource.url })
      })
    } catch (error) {
      await this.removeSlot(slot).catch(() => undefined)
      throw error
    } finally {
      this.installing = 0
    }
    return {
      v: manifest.version,
      s: slot,
      t: platform.clock.now(),
      r: kept,
      n: manifest.network,
      f: manifest.fallback.map(({ pattern, fallback }) => [pattern, fallback]),
    }
  }

  /** Removes every response and file of a version slot. */
  async removeSlot(slot: number): Promise<void> {
    for (const storeKey of this.deps.store.keys(`m.${slot.toString(36)}.`)) this.deps.store.remove(storeKey)
    if (this.deps.platform.capabilities.fileSystem) await this.deps.folder.removeTree(this.deps.folder.precache(slot))
  }

  private async keepResponse(resource: PlannedResource, slot: number, header: Record<string, string>): Promise<StoredResource> {
    const response = await this.deps.platform.http.request({ url: resource.url, method: 'GET', header }).result
    if (!isCacheable(response)) throw new HttpStatusError(resource.url, response.statusCode)
    const now = this.deps.platform.clock.now()
    this.deps.responses.putMakingRoom(precachedKey(slot, hash53(resource.key)), encodeResponse(resource.key, response, now))
    return [resource.key, 'r', 0, '']
  }

  private async keepFile(resource: PlannedResource, slot: number, header: Record<string, string>): Promise<StoredResource> {
    const { platform, images, folder } = this.deps
    const file = await downloadToTemp(platform, resource.url, header)
    if (!(await images.makeRoom(file.bytes))) {
      await platform.fs.unlink(file.tempFilePath).catch(() => undefined)
      throw new QuotaExceededError(`${resource.url} (${file.bytes} bytes) does not fit the file budget of the read side`, file.bytes, 0)
    }
    this.installing += file.bytes
    const extension = urlExtension(resource.url) || 'bin'
    await platform.fs.saveFile(file.tempFilePath, `${folder.precache(slot)}/${precachedFileName(resource.key, extension)}`)
    return [resource.key, 'f', file.bytes, extension]
  }
}
