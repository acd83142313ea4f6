import { CacheMissError, OfflineError } from 'miniprogram-offline'
import type { ReadOp } from './model'
import { NAMESPACE, type CallOutcome, type KeptFile, type Phone } from './phone'
import { READ_PATHS, type ManifestBody, type ReadBody, type ReadSite } from './read-site'

/**
 * The app's reads during a field day (`offline.get`, `offline.manifest`), and
 * what a settled phone serves offline: the cached copies, the precached
 * version, and the read cache's files and storage.
 */

/** What the read side looks like at a settled moment. */
export interface ReadSnapshot {
  manifestVersion: string | undefined
  /** For each record and image of the served version: the version it is served offline as, or what went wrong. */
  precache: string[]
  /** For each read path: the cached copy as JSON, or undefined when none is served. */
  cached: Array<{ path: string; body: string | undefined }>
  /** Read paths cached earlier in the day: their copy may be replaced, never lost. */
  mustBeCached: string[]
  precacheFolders: string[]
  /** Every file under the read cache's folder, names relative to it. */
  cacheFiles: KeptFile[]
  /** What the read cache's keys take in storage. */
  cacheStorageBytes: number
}

function outcomeText(outcome: CallOutcome<unknown>): string {
  if (outcome.kind === 'threw') return outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : String(outcome.error)
  return outcome.kind
}

export class ReadSide {
  /** Reads the network answered (each one a cache update). */
  networkReads = 0
  /** Manifest updates that went through. */
  manifestUpdates = 0
  /** The host app has filled storage: a network answer may not be cached. */
  deviceFull = false
  /** Read paths whose answer came from the network (and so was cached). */
  private readonly cachedPaths = new Set<string>()

  constructor(
    private readonly phone: Phone,
    private readonly site: ReadSite,
    private readonly problem: (text: string) => void,
  ) {}

  /** The read cache's folder: `USER_DATA_PATH/mpo/<namespace>/~cache`. */
  get folder(): string {
    return `${this.phone.platform.fs.userDataPath}/mpo/${NAMESPACE}/~cache`
  }

  async run(op: ReadOp): Promise<void> {
    const { phone, site } = this
    if (op.kind === 'read') {
      const path = READ_PATHS[op.resource]
      const outcome = await phone.guard(() => phone.client.get<ReadBody>({ url: site.url(path), strategy: op.strategy }))
      if (outcome.kind === 'resolved' && outcome.value.source === 'network' && outcome.value.statusCode === 200) {
        // With the device full (the host app filled it), caching the answer is best effort.
        if (!this.deviceFull) this.cachedPaths.add(path)
        this.networkReads += 1
      }
      return this.expectTyped(`offline.get(${path}, ${op.strategy})`, outcome)
    }
    const document = site.publishNext()
    const outcome = await phone.guard(() => {
      phone.client.manifest(document)
      return phone.client.manifest.update()
    })
    if (outcome.kind === 'resolved') this.manifestUpdates += 1
    this.expectTyped(`offline.manifest(${document.version}).update()`, outcome)
  }

  /**
   * The host app wiped storage or filled it (the SDK may then evict cached
   * reads to make room for writes): copies cached so far may be gone, rightly.
   */
  forgetCached(): void {
    this.cachedPaths.clear()
  }

  /** What the phone serves offline now (reads only memory and storage: no network, no writes). */
  async snapshot(): Promise<ReadSnapshot | undefined> {
    const { phone, site } = this
    const client = phone.client
    const version = client.manifest.version
    const precache: string[] = []
    if (version !== undefined) {
      for (const { url } of site.manifestRecords(version)) {
        const got = await phone.guard(() => client.get<ManifestBody>({ url, strategy: 'cacheOnly' }))
        if (got.kind !== 'resolved') precache.push(`not served (${outcomeText(got)})`)
        else precache.push(got.value.source === 'precache' ? got.value.data.version : `served from the ${got.value.source}`)
      }
      for (const { url } of site.manifestImages(version)) {
        const got = await phone.guard(() => client.image(url))
        if (got.kind !== 'resolved') precache.push(`image not served (${outcomeText(got)})`)
        else if (!got.value.includes('/~cache/precache-')) precache.push(`image served from ${got.value}`)
        else precache.push(phone.emu.files.tryReadBytes(got.value)?.toString('utf8').split(':')[0] ?? 'image file missing')
      }
    }
    const cached: ReadSnapshot['cached'] = []
    for (const path of READ_PATHS) {
      const got = await phone.guard(() => client.get<ReadBody>({ url: site.url(path), strategy: 'cacheOnly' }))
      if (got.kind === 'resolved') cached.push({ path, body: JSON.stringify(got.value.data) })
      else if (got.kind === 'threw' && got.error instanceof CacheMissError) cached.push({ path, body: undefined })
      else this.problem(`offline.get(${path}, cacheOnly) at a checkpoint: ${outcomeText(got)}`)
    }
    if (!phone.alive) return undefined
    const names = await phone.platform.fs.readdir(this.folder).catch((): string[] => [])
    return {
      manifestVersion: version,
      precache,
      cached,
      mustBeCached: [...this.cachedPaths],
      precacheFolders: names.filter((name) => name.startsWith('precache-')).sort(),
      cacheFiles: await this.filesUnder(this.folder, ''),
      cacheStorageBytes: phone.storageBytesUnder(`mpo/${NAMESPACE}~cache/`),
    }
  }

  /** A typed SDK error (offline, not cached, a failed check) is an answer; anything else is a bug, and a hang is one too. */
  private expectTyped(what: string, outcome: CallOutcome<unknown>): void {
    if (outcome.kind === 'threw' && !(outcome.error instanceof OfflineError)) this.problem(`${what} threw ${outcomeText(outcome)}`)
    if (outcome.kind === 'hung') {
      this.problem(`${what} never settled, the app alive`)
      this.phone.emu.faults.kill()
    }
  }

  private async filesUnder(folder: string, relative: string): Promise<KeptFile[]> {
    const fs = this.phone.platform.fs
    const files: KeptFile[] = []
    for (const name of (await fs.readdir(folder).catch((): string[] => [])).sort()) {
      const stats = await fs.stat(`${folder}/${name}`).catch(() => undefined)
      if (stats?.isDirectory) files.push(...(await this.filesUnder(`${folder}/${name}`, `${relative}${name}/`)))
      else if (stats?.isFile) files.push({ name: `${relative}${name}`, bytes: stats.size })
    }
    return files
  }
}
