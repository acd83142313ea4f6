import { PlatformFileError, StoreCorruptedError } from '../errors'
import type { Platform } from '../platform/platform'
import type { DurableStore } from '../store'
import type { CacheFolder } from './cache-folder'
import { imageKey, parseImageKey, type ImageKey } from './cache-keys'
import { downloadToTemp } from './file-download'
import { hash53 } from '../util/hash'
import { urlExtension } from './http-url'
import type { LastUseLog } from './last-use-log'
import type { ResponseCache } from './response-cache'

/** WeChat's "the maximum size of the file storage limit is exceeded". */
const FILE_STORAGE_FULL = 1300202

/** What an image record holds: the canonical URL, checked on read (key names carry only its hash). */
interface ImageRecord {
  u: string
}

/** What the image cache needs from the reader. */
export interface ImageCacheDeps {
  platform: Platform
  store: DurableStore
  lastUse: LastUseLog
  /** Writes records, evicting cached responses when storage is full. */
  responses: ResponseCache
  folder: CacheFolder
  maxFileBytes: number
  /** Bytes of precached files: they share the file budget but are never evicted here. */
  reservedBytes(): number
  headers(): Promise<Record<string, string>>
}

/** The file extension of a kept image: the URL's, else the temp file's, else `bin`. */
function extensionFor(url: string, tempFilePath: string): string {
  const fromTemp = (/\.([A-Za-z0-9]{1,8})$/.exec(tempFilePath)?.[1] ?? '').toLowerCase()
  return urlExtension(url) || fromTemp || 'bin'
}

/**
 * Images kept as files for `<image src>`: downloaded once with
 * `wx.downloadFile`, moved into `USER_DATA_PATH`, and evicted least
 * recently used first when the file budget is reached.
 *
 * A file is kept when its record is written (the commit point): a crash
 * after the move but before the record leaves an orphan file, which
 * {@link ImageCache.removeOrphans} deletes at the next start; an eviction
 * removes the record first, then the file.
 */
export class ImageCache {
  /** By hash of the canonical URL. */
  private readonly records = new Map<string, ImageKey>()
  private usedBytes = 0
  /** Bytes of downloads on their way into the folder. */
  private pendingBytes = 0
  private readonly downloads = new Map<string, Promise<string>>()

  constructor(private readonly deps: ImageCacheDeps) {
    for (const storeKey of deps.store.keys('i.')) {
      const key = parseImageKey(storeKey)
      if (key) this.index(key)
    }
  }

  /** Deletes files of the images folder that no record names. */
  async removeOrphans(): Promise<void> {
    const { folder } = this.deps
    const known = new Set([...this.records.values()].map(fileName))
    for (const name of await folder.list(folder.images)) {
      if (!known.has(name)) await folder.removeFile(`${folder.images}/${name}`)
    }
  }

  /** The kept file of `canonicalUrl`, counted as a use, or `undefined`. A record whose file vanished is dropped. */
  async find(canonicalUrl: string): Promise<string | undefined> {
    const key = this.records.get(hash53(canonicalUrl))
    if (!key || this.recordOf(key)?.u !== canonicalUrl) return undefined
    const path = this.pathOf(key)
    if (!(await this.deps.folder.exists(path))) {
      this.forget(key)
      return undefined
    }
    this.deps.lastUse.touch(key.storeKey, this.deps.platform.clock.now())
    return path
  }

  /**
   * Downloads `url` and keeps it; concurrent calls for one URL share the
   * download. An image the budget cannot hold is returned at its temp path,
   * valid for this run only.
   *
   * @throws {@link TransportError} or {@link HttpStatusError} when the download fails.
   */
  keep(url: string, canonicalUrl: string): Promise<string> {
    let download = this.downloads.get(canonicalUrl)
    if (!download) {
      download = this.download(url, canonicalUrl).finally(() => this.downloads.delete(canonicalUrl))
      this.downloads.set(canonicalUrl, download)
    }
    return download
  }

  /**
   * Evicts least recently used images until `bytes` more fit in the file
   * budget next to the precached files and downloads under way.
   *
   * @returns whether they fit now.
   */
  async makeRoom(bytes: number): Promise<boolean> {
    const fits = (): boolean => this.usedBytes + this.pendingBytes + this.deps.reservedBytes() + bytes <= this.deps.maxFileBytes
    if (this.pendingBytes + this.deps.reservedBytes() + bytes > this.deps.maxFileBytes) return false
    const used = (key: ImageKey): number => this.deps.lastUse.lastUsed(key.storeKey, key.writtenAt)
    const victims = [...this.records.values()].sort((a, b) => used(a) - used(b))
    while (!fits() && victims.length > 0) await this.evict(victims.shift() as ImageKey)
    return fits()
  }

  private async download(url: string, canonicalUrl: string): Promise<string> {
    const { platform, folder } = this.deps
    const file = await downloadToTemp(platform, url, await this.deps.headers())
    if (!(await this.makeRoom(file.bytes))) return file.tempFilePath
    this.pendingBytes += file.bytes
    try {
      const key = imageKey(platform.clock.now(), file.bytes, hash53(canonicalUrl), extensionFor(url, file.tempFilePath))
      await folder.ensure(folder.images)
      try {
        await platform.fs.saveFile(file.tempFilePath, this.pathOf(key))
      } catch (error) {
        if (error instanceof PlatformFileError && error.errCode === FILE_STORAGE_FULL) return file.tempFilePath
        throw error
      }
      return this.record(key, canonicalUrl)
    } finally {
      this.pendingBytes -= file.bytes
    }
  }

  /** Writes the record (the commit point) and indexes it. */
  private record(key: ImageKey, canonicalUrl: string): string {
    const path = this.pathOf(key)
    const value: ImageRecord = { u: canonicalUrl }
    try {
      this.deps.responses.putMakingRoom(key.storeKey, value)
    } catch {
      // Unrecorded: shown this run, removed as an orphan at the next start.
      return path
    }
    this.index(key)
    this.deps.lastUse.touch(key.storeKey, key.writtenAt)
    return path
  }

  private async evict(key: ImageKey): Promise<void> {
    this.forget(key)
    await this.deps.folder.removeFile(this.pathOf(key))
  }

  /** Removes the record; the file, if any, must go too (or becomes an orphan for the next start). */
  private forget(key: ImageKey): void {
    this.deps.store.remove(key.storeKey)
    this.deps.lastUse.forget(key.storeKey)
    if (this.records.get(key.hash) === key) {
      this.records.delete(key.hash)
      this.usedBytes -= key.bytes
    }
  }

  private recordOf(key: ImageKey): ImageRecord | undefined {
    try {
      return this.deps.store.get<ImageRecord>(key.storeKey)
    } catch (error) {
      if (error instanceof StoreCorruptedError) return undefined
      throw error
    }
  }

  private pathOf(key: ImageKey): string {
    return `${this.deps.folder.images}/${fileName(key)}`
  }

  /** Two records for one URL (a crash between writing one and removing the other): the newer wins. */
  private index(key: ImageKey): void {
    const other = this.records.get(key.hash)
    if (other && other.writtenAt > key.writtenAt) {
      this.deps.store.remove(key.storeKey)
      return
    }
    if (other) this.forget(other)
    this.records.set(key.hash, key)
    this.usedBytes += key.bytes
  }
}

function fileName(key: ImageKey): string {
  return `${key.hash}.${key.extension}`
}
