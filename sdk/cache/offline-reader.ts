import { CacheMissError, HttpStatusError, InvalidArgumentError, TransportError, UnsupportedError } from '../errors'
import type { HttpResponse, Platform, Unsubscribe } from '../platform/platform'
import { DurableStore, type StorageListing } from '../store'
import type { NetworkMonitor } from '../sync/network-monitor'
import { CacheFolder } from './cache-folder'
import { isCacheable, type CachedCopy } from './cached-response'
import { downloadToTemp } from './file-download'
import { resolveGet, type GetOptions, type GetResult, type ResolvedGet } from './get-options'
import { assertHttpUrl, canonicalUrl } from './http-url'
import { ImageCache } from './image-cache'
import { LastUseLog } from './last-use-log'
import { createManifestApi, type ManifestApi } from './manifest-api'
import { assertManifestSource } from './manifest-document'
import { ManifestLifecycle } from './manifest-lifecycle'
import { PrecacheInstaller } from './precache-installer'
import { headersFor, resolveReaderOptions, type OfflineReaderOptions, type ResolvedReaderOptions } from './reader-options'
import { copyResult, runStrategy, type StrategyContext } from './read-strategies'
import { ResponseCache } from './response-cache'

/** What {@link createOfflineReader} needs. */
export interface OfflineReaderConfig {
  platform: Platform
  /** The client's namespace; the read side keeps its own store `<namespace>~cache` (so at most 122 characters). */
  namespace: string
  /** The client's network monitor, already started. */
  network: NetworkMonitor
  options?: OfflineReaderOptions
  /** A listing of storage made for the outbox's store, so the two stores open from one scan. */
  listing?: StorageListing
}

/** The read side of one namespace: `offline.get`, `offline.image`, `offline.manifest`. */
export interface OfflineReader {
  /** Settles once files left by an earlier run are cleaned up; `image()` and manifest checks wait for it. */
  readonly ready: Promise<void>
  /**
   * A GET through `wx.request`, answered from the network or the cache as
   * `strategy` says. Resolves with any HTTP answer, like `wx.request`; only
   * 2xx answers are cached. A URL of the current manifest is served from
   * its precached copy (unless `strategy` is `networkOnly`).
   *
   * @throws {@link InvalidArgumentError} for a non-http(s) URL, an unknown strategy or a bad option.
   * @throws {@link TransportError} when the network failed and nothing kept could stand in.
   * @throws {@link CacheMissError} for `cacheOnly` with nothing cached.
   */
  get<T = unknown>(options: GetOptions): Promise<GetResult<T>>
  /**
   * A local path for `<image src>`: the kept copy, or one downloaded now and
   * kept (least recently used images go first past the file budget).
   *
   * @throws {@link CacheMissError} when nothing is kept and the download failed (e.g. offline).
   * @throws {@link HttpStatusError} when the server answered non-2xx and no fallback applies.
   * @throws {@link UnsupportedError} on runtimes without a file system (uni-app H5).
   */
  image(url: string): Promise<string>
  /** The precache manifest: call it with a source; `update()`, `status`, `version`, `on()`. */
  readonly manifest: ManifestApi
  /**
   * Evicts cached responses, least recently used first, until `bytes` are
   * freed or none is left. Precached responses and kept files are never
   * touched. For the outbox: when a queued write meets a full device, free
   * its size here and retry once.
   *
   * @returns the bytes freed, as storage counts them.
   */
  freeSpace(bytes: number): number
  /**
   * Notices storage wiped behind the SDK's back (one `getStorageSync` when
   * nothing happened): the read cache re-measures, and a precache whose
   * records are gone is no longer reported as served.
   */
  checkIntact(): void
  /** Saves last-use times, stops listening and releases the store. What is kept stays for the next start. */
  close(): void
}

/** The read side's own store namespace: its bytes never count against the outbox's budget. */
export function cacheNamespace(namespace: string): string {
  return `${namespace}~cache`
}

class Reader implements OfflineReader {
  readonly ready: Promise<void>
  readonly manifest: ManifestApi
  private readonly platform: Platform
  private readonly network: NetworkMonitor
  private readonly options: ResolvedReaderOptions
  private readonly store: DurableStore
  private readonly lastUse: LastUseLog
  private readonly responses: ResponseCache
  private readonly folder: CacheFolder
  private readonly images: ImageCache
  private readonly installer: PrecacheInstaller
  private readonly lifecycle: ManifestLifecycle
  private readonly revalidating = new Set<string>()
  private readonly unsubscribers: Unsubscribe[] = []
  private closed = false

  constructor(config: OfflineReaderConfig) {
    const { platform, namespace, network } = config
    this.options = resolveReaderOptions(config.options)
    if (typeof namespace !== 'string' || namespace === '') throw new InvalidArgumentError('namespace must be a non-empty string')
    if (this.options.manifest !== undefined) assertManifestSource(this.options.manifest)
    this.platform = platform
    this.network = network
    this.store = DurableStore.open(platform.storage, { namespace: cacheNamespace(namespace), maxBytes: this.options.maxBytes, listing: config.listing })
    try {
      const headers = (): Promise<Record<string, string>> => headersFor(this.options.headers)
      this.lastUse = new LastUseLog(this.store)
      this.responses = new ResponseCache(this.store, this.lastUse, platform.clock, this.options.caches)
      this.folder = new CacheFolder(platform.fs, namespace)
      this.images = new ImageCache({
        platform,
        store: this.store,
        lastUse: this.lastUse,
        responses: this.responses,
        folder: this.folder,
        maxFileBytes: this.options.maxFileBytes,
        reservedBytes: () => (this.lifecycle.served?.fileBytes ?? 0) + this.installer.installingBytes,
        headers,
      })
      this.installer = new PrecacheInstaller({ platform, store: this.store, responses: this.responses, images: this.images, folder: this.folder, headers })
      this.lifecycle = new ManifestLifecycle({
        platform,
        store: this.store,
        responses: this.responses,
        installer: this.installer,
        headers,
        ready: () => this.ready,
        storeIntact: () => this.storeIntact(),
      })
      this.manifest = createManifestApi(this.lifecycle)
      this.ready = this.removeLeftoverFiles()
      this.listen()
      if (this.options.manifest !== undefined) this.manifest(this.options.manifest)
    } catch (error) {
      this.close()
      throw error
    }
  }

  async get<T = unknown>(options: GetOptions): Promise<GetResult<T>> {
    const read = resolveGet(options, this.options.strategy)
    this.assertOpen()
    const version = this.lifecycle.served
    const precached = read.strategy === 'networkOnly' ? undefined : version?.response(this.store, read.key)
    if (precached) return copyResult<T>(precached, 'precache', false)
    try {
      return await runStrategy<T>(read.strategy, this.contextFor(read, !version?.isNetworkOnly(read.url)))
    } catch (error) {
      const fallback = error instanceof TransportError || error instanceof CacheMissError ? this.fallbackCopy(read.url) : undefined
      if (!fallback) throw error
      return copyResult<T>(fallback, 'fallback', true)
    }
  }

  async image(url: string): Promise<string> {
    const key = canonicalUrl(assertHttpUrl(url, 'url'))
    this.assertOpen()
    if (!this.platform.capabilities.fileSystem) throw new UnsupportedError('fileSystem', this.platform.name)
    await this.ready
    const version = this.lifecycle.served
    const precached = version?.filePath(this.folder, key)
    if (precached) return precached
    if (version?.isNetworkOnly(key)) return (await downloadToTemp(this.platform, url, await headersFor(this.options.headers))).tempFilePath
    const kept = await this.images.find(key)
    if (kept) return kept
    try {
      return await this.images.keep(url, key)
    } catch (error) {
      if (!(error instanceof TransportError || error instanceof HttpStatusError)) throw error
      const fallbackKey = this.lifecycle.served?.fallbackFor(key)
      const fallback = fallbackKey === undefined ? undefined : this.lifecycle.served?.filePath(this.folder, fallbackKey)
      if (fallback) return fallback
      if (error instanceof TransportError) throw new CacheMissError(url, `not kept, and the download failed (${error.errMsg})`)
      throw error
    }
  }

  freeSpace(bytes: number): number {
    if (typeof bytes !== 'number' || !(bytes >= 0)) throw new InvalidArgumentError(`freeSpace needs a number of bytes, got ${String(bytes)}`)
    this.assertOpen()
    return this.responses.freeSpace(bytes)
  }

  checkIntact(): void {
    this.storeIntact()
  }

  /** One storage read: false when the host app wiped the read cache's store since the last look (which re-measures it). */
  private storeIntact(): boolean {
    if (this.closed) return true
    const { remeasured, lostKeys } = this.store.checkIntact()
    return !remeasured && lostKeys.length === 0
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.lastUse?.save()
    for (const unsubscribe of this.unsubscribers) unsubscribe()
    this.lifecycle?.close()
    this.store.close()
  }

  private contextFor(read: ResolvedGet, cacheable: boolean): StrategyContext {
    return {
      url: read.request.url,
      fetch: (keep) => this.send(read, keep && cacheable),
      cached: () => (cacheable ? this.responses.read(read.cacheName, read.key) : undefined),
      revalidate: () => this.revalidate(read),
      networkTimeoutMs: read.networkTimeoutMs,
      clock: this.platform.clock,
    }
  }

  private async send(read: ResolvedGet, keep: boolean): Promise<HttpResponse> {
    const header = await headersFor(this.options.headers, read.request.header)
    const response = await this.platform.http.request({ ...read.request, header }).result
    if (keep && !this.closed && isCacheable(response)) this.responses.write(read.cacheName, read.key, response)
    return response
  }

  /** One background refresh per key at a time, and none while offline. */
  private revalidate(read: ResolvedGet): void {
    const id = `${read.cacheName}\n${read.key}`
    if (!this.network.online || this.revalidating.has(id)) return
    this.revalidating.add(id)
    this.send(read, true)
      .catch(() => undefined) // the copy already served stays; the next read tries again
      .finally(() => this.revalidating.delete(id))
  }

  /** The manifest's fallback for `url`, read from the version served now. */
  private fallbackCopy(url: string): CachedCopy | undefined {
    const version = this.lifecycle.served
    const key = version?.fallbackFor(url)
    return key === undefined ? undefined : version?.response(this.store, key)
  }

  private async removeLeftoverFiles(): Promise<void> {
    if (!this.platform.capabilities.fileSystem) return
    try {
      await this.lifecycle.removeLeftoverFolders(this.folder)
      await this.images.removeOrphans()
    } catch {
      // Leftovers only cost disk space: the next start tries again.
    }
  }

  private listen(): void {
    this.unsubscribers.push(
      this.network.onChange((status, wasOnline) => {
        // A check that failed offline is worth repeating as soon as the network is back.
        if (status.isConnected && !wasOnline) this.lifecycle.recheckIfFailed()
      }),
    )
    try {
      this.unsubscribers.push(this.platform.lifecycle.onHide(() => this.lastUse.save()))
    } catch (error) {
      // uni-app H5 and App have no hide event: last-use times are saved on close only.
      if (!(error instanceof UnsupportedError)) throw error
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the offline reader is closed')
  }
}

/**
 * Creates the read side of one namespace. The client exposes its members as
 * `offline.get`, `offline.image` and `offline.manifest`.
 *
 * @throws {@link InvalidArgumentError} for a bad option or manifest.
 * @throws {@link InUseError} when the namespace's read side is already open.
 *
 * @example
 * ```ts
 * const reader = createOfflineReader({ platform, namespace: `sales:${userId}`, network, options: {
 *   caches: { customers: { maxAgeSeconds: 24 * 3600, maxEntries: 20 } },
 *   manifest: 'https://api.example.com/offline-manifest.json',
 * } })
 * const { data, fromCache, stale } = await reader.get({ url: `${api}/customers`, strategy: 'staleWhileRevalidate', cacheName: 'customers' })
 * this.setData({ mapSrc: await reader.image(`${cdn}/maps/route-12.png`) })
 * ```
 */
export function createOfflineReader(config: OfflineReaderConfig): OfflineReader {
  return new Reader(config)
}
