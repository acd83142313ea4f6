import { HttpStatusError, InvalidArgumentError } from '../errors'
import type { Platform } from '../platform/platform'
import type { DurableStore } from '../store'
import { TypedEmitter } from '../util/typed-emitter'
import { parsePrecacheFolderName, type CacheFolder } from './cache-folder'
import { MANIFEST_POINTER_KEY, precachedSlot } from './cache-keys'
import { isCacheable } from './cached-response'
import { assertManifestSource, resolveManifest, type ManifestSource, type ResolvedManifest } from './manifest-document'
import type { ManifestEvents, ManifestOutcome, ManifestStatus } from './manifest-events'
import type { PrecacheInstaller } from './precache-installer'
import { PrecacheVersion, type StoredVersion } from './precache-version'
import type { ResponseCache } from './response-cache'

/** What the lifecycle needs from the reader. */
export interface LifecycleDeps {
  platform: Platform
  store: DurableStore
  /** Writes the version pointer, evicting cached responses when storage is full. */
  responses: ResponseCache
  installer: PrecacheInstaller
  headers(): Promise<Record<string, string>>
  /** Settles once leftover files of earlier runs are gone; checks wait for it. */
  ready(): Promise<void>
  /** Looks whether the host app wiped the store (one storage read), re-measuring it if so. */
  storeIntact(): boolean
}

type Loaded = ResolvedManifest | 'withdrawn'

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new InvalidArgumentError(`manifest ${url}: the answer is not JSON`)
  }
}

/**
 * The precache manifest's lifecycle: checks, downloads a new version beside
 * the served one, swaps it in with one storage write, withdraws it.
 *
 * Crash safety: the pointer (key `m`) names the served version; nothing of
 * that version is changed before the pointer moves, and the pointer moves
 * in one write. Whatever a crash leaves (a half-downloaded slot, an old
 * slot not yet removed) is not named by the pointer and is removed at the
 * next start: store keys in the constructor, folders in
 * {@link ManifestLifecycle.removeLeftoverFolders}.
 */
export class ManifestLifecycle {
  readonly events = new TypedEmitter<ManifestEvents>()
  private state: ManifestStatus
  private current: PrecacheVersion | undefined
  /** `undefined` until the app calls `manifest()`; `null` once it withdrew it. */
  private source: ManifestSource | null | undefined
  /** Bumped on every `manifest()` call, so a source set mid-check gets its own check. */
  private sourceGeneration = 0
  private runningGeneration = 0
  private running: Promise<ManifestOutcome> | undefined
  /** The check queued behind `running` for a source set since it began. */
  private followUp: Promise<ManifestOutcome> | undefined
  private nextSlot: number
  private failed = false

  constructor(private readonly deps: LifecycleDeps) {
    this.current = PrecacheVersion.load(deps.store, MANIFEST_POINTER_KEY)
    this.state = this.current ? 'IDLE' : 'UNCACHED'
    this.nextSlot = this.removeLeftoverResponses() + 1
  }

  get status(): ManifestStatus {
    this.forgetIfWiped()
    return this.state
  }

  /** The version served, if any. */
  get served(): PrecacheVersion | undefined {
    this.forgetIfWiped()
    return this.current
  }

  /**
   * Checks again if the last check failed, once the one under way (which
   * may be failing right now) has ended. For reconnects.
   */
  recheckIfFailed(): void {
    void (this.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        if (this.failed && this.source !== undefined) this.update().catch(() => undefined)
      })
  }

  /**
   * Sets where the manifest comes from and checks it now.
   * @throws {@link InvalidArgumentError} for a malformed manifest object or a non-http(s) URL.
   */
  setSource(source: ManifestSource | null): void {
    assertManifestSource(source)
    this.source = source
    this.sourceGeneration += 1
    this.update().catch(() => undefined) // reported through the `error` event
  }

  /**
   * Checks now, or joins the check under way. When the source changed since
   * that check began, a fresh check follows it, and this is its outcome.
   * Rejects (after the `error` event) when the check fails.
   */
  update(): Promise<ManifestOutcome> {
    if (this.source === undefined) return Promise.reject(new InvalidArgumentError('no manifest yet: call offline.manifest(source) first'))
    if (!this.running) {
      this.runningGeneration = this.sourceGeneration
      const running = this.run().finally(() => (this.running = undefined))
      this.running = running
      return running
    }
    if (this.runningGeneration === this.sourceGeneration) return this.running
    this.followUp ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.followUp = undefined
        return this.update()
      })
    return this.followUp
  }

  /** Removes `precache-*` folders the pointer does not name. */
  async removeLeftoverFolders(folder: CacheFolder): Promise<void> {
    for (const name of await folder.list(folder.root)) {
      const slot = parsePrecacheFolderName(name)
      if (slot !== undefined && slot !== this.current?.slot) await folder.removeTree(folder.precache(slot))
    }
  }

  /**
   * After storage was wiped behind the SDK's back, a served version whose
   * pointer is gone is no longer served (its responses went with it): the
   * status and every read say so at once, not at the next cold start.
   */
  private forgetIfWiped(): void {
    if (!this.current) return
    // Re-measures the store when the host app wiped it; then the pointer says.
    this.deps.storeIntact()
    if (this.deps.store.has(MANIFEST_POINTER_KEY)) return
    this.current = undefined
    this.state = 'UNCACHED'
  }

  close(): void {
    this.events.clear()
  }

  private async run(): Promise<ManifestOutcome> {
    await this.deps.ready()
    this.state = 'CHECKING'
    this.events.emit('checking', {})
    try {
      const manifest = await this.load()
      if (manifest === 'withdrawn') return await this.withdraw()
      if (this.current?.version === manifest.version) {
        this.succeeded('IDLE')
        this.events.emit('noupdate', { version: manifest.version })
        return 'noupdate'
      }
      this.state = 'DOWNLOADING'
      this.events.emit('downloading', { version: manifest.version, total: manifest.resources.length })
      const slot = this.nextSlot++
      const next = await this.deps.installer.install(manifest, slot, (progress) => this.events.emit('progress', progress))
      return await this.swap(next)
    } catch (error) {
      this.failed = true
      this.state = this.current ? 'IDLE' : 'UNCACHED'
      this.events.emit('error', { error: error instanceof Error ? error : new Error(String(error)) })
      throw error
    }
  }

  private async load(): Promise<Loaded> {
    const source = this.source
    if (source === null || source === undefined) return 'withdrawn'
    if (typeof source !== 'string') return resolveManifest(source, 'manifest')
    const response = await this.deps.platform.http.request({ url: source, method: 'GET', header: await this.deps.headers() }).result
    // AppCache: a manifest that is gone makes the kept set obsolete.
    if ((response.statusCode === 404 || response.statusCode === 410) && this.current) return 'withdrawn'
    if (!isCacheable(response)) throw new HttpStatusError(source, response.statusCode)
    const document = typeof response.data === 'string' ? parseJson(response.data, source) : response.data
    return resolveManifest(document, `manifest ${source}`, source)
  }

  /** One pointer write makes `next` the served version; then the old one is removed. */
  private async swap(next: StoredVersion): Promise<ManifestOutcome> {
    const previous = this.current
    try {
      this.deps.responses.putMakingRoom(MANIFEST_POINTER_KEY, next)
    } catch (error) {
      await this.deps.installer.removeSlot(next.s).catch(() => undefined)
      throw error
    }
    this.current = new PrecacheVersion(next)
    if (!previous) {
      this.succeeded('IDLE')
      this.events.emit('cached', { version: next.v })
      return 'cached'
    }
    this.succeeded('UPDATEREADY')
    this.events.emit('updateready', { version: next.v, previousVersion: previous.version })
    await this.removeQuietly(previous.slot)
    return 'updateready'
  }

  /** Removing the pointer is the commit; the kept set follows. */
  private async withdraw(): Promise<ManifestOutcome> {
    const previous = this.current
    if (previous) this.deps.store.remove(MANIFEST_POINTER_KEY)
    this.current = undefined
    this.succeeded('OBSOLETE')
    this.events.emit('obsolete', { previousVersion: previous?.version })
    if (previous) await this.removeQuietly(previous.slot)
    return 'obsolete'
  }

  /** What is left after a failure here is no longer named by the pointer: the next start removes it. */
  private async removeQuietly(slot: number): Promise<void> {
    await this.deps.installer.removeSlot(slot).catch(() => undefined)
  }

  private succeeded(state: ManifestStatus): void {
    this.failed = false
    this.state = state
  }

  /**
   * Removes precached responses of slots the pointer does not name.
   * @returns the highest slot seen, so new versions never reuse one.
   */
  private removeLeftoverResponses(): number {
    const servedSlot = this.current?.slot
    const slots = this.deps.store.keys('m.').map((storeKey) => ({ storeKey, slot: precachedSlot(storeKey) }))
    const highest = Math.max(servedSlot ?? 0, ...slots.map(({ slot }) => slot ?? 0))
    try {
      for (const { storeKey, slot } of slots) if (slot !== undefined && slot !== servedSlot) this.deps.store.remove(storeKey)
    } catch {
      // Not named by the pointer, so harmless: the next start tries again.
    }
    return highest
  }
}
