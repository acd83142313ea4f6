import { InvalidArgumentError, QuotaExceededError } from '../errors'
import type { PlatformFileSystem } from '../platform/platform'

/** 50 MiB: well under WeChat's 200 MB for all of a mini-program's files. */
export const DEFAULT_FILE_BUDGET_BYTES = 50 * 1024 * 1024

/** A file the SDK keeps until its upload succeeds. */
export interface KeptFile {
  path: string
  bytes: number
}

function extensionOf(path: string): string {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(path)
  return match ? `.${match[1].toLowerCase()}` : ''
}

/**
 * Keeps files in the SDK's own folder under `USER_DATA_PATH` until their
 * entries are done: a temp file (from `chooseMedia`, `compressImage`) may be
 * gone after a restart, so an upload can only rely on a copy.
 *
 * A kept file is named after its entry (`<entryId>.<n>.<ext>`), so the set of
 * live entries alone says which files are orphans: no index to keep in sync.
 */
export class FileKeeper {
  private usedBytes = 0
  private readonly sizes = new Map<string, number>()
  private ready: Promise<void> | undefined

  constructor(
    private readonly fs: PlatformFileSystem,
    readonly folder: string,
    readonly budgetBytes: number = DEFAULT_FILE_BUDGET_BYTES,
  ) {}

  /** Bytes of kept files, as far as this instance knows. */
  get usage(): { bytes: number; budgetBytes: number; files: number } {
    return { bytes: this.usedBytes, budgetBytes: this.budgetBytes, files: this.sizes.size }
  }

  /**
   * Creates the folder, counts what is there, and removes files no live entry
   * owns (left by a crash between the copy and the enqueue, or after the
   * entry was removed). Safe to call more than once.
   */
  open(isLive: (entryId: string) => boolean): Promise<void> {
    this.ready ??= this.scan(isLive)
    return this.ready
  }

  /** The size of a file the caller wants kept; a typed error if it cannot be read. */
  async sizeOf(filePath: unknown): Promise<number> {
    if (typeof filePath !== 'string' || filePath === '') throw new InvalidArgumentError('filePath must be a non-empty string')
    try {
      const stats = await this.fs.stat(filePath)
      if (!stats.isFile) throw new InvalidArgumentError(`filePath ${filePath} is not a file`)
      return stats.size
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error
      throw new InvalidArgumentError(`filePath ${filePath} cannot be read: ${(error as Error).message}`)
    }
  }

  /** Refuses, before anything is copied, files that would not fit the budget. */
  assertFits(bytes: number): void {
    const available = this.budgetBytes - this.usedBytes
    if (bytes > available) {
      throw new QuotaExceededError(`files need ${bytes} bytes but the file budget has ${available} left`, bytes, available)
    }
  }

  /** Copies `sourcePath` into the folder as file `index` of entry `entryId`. */
  async keep(entryId: string, index: number, sourcePath: string, bytes: number): Promise<KeptFile> {
    this.assertFits(bytes)
    const path = `${this.folder}/${entryId}.${index}${extensionOf(sourcePath)}`
    // Counted before the copy so two keeps at once cannot both pass the budget check.
    this.track(path, bytes)
    try {
      await this.fs.copyFile(sourcePath, path)
    } catch (error) {
      await this.remove(path)
      throw error
    }
    return { path, bytes }
  }

  async exists(path: string): Promise<boolean> {
    return this.fs.access(path).then(
      () => true,
      () => false,
    )
  }

  /** Deletes every file of an entry (done, discarded or expired). Failures are left for the next `open`. */
  async release(entryId: string): Promise<void> {
    // The opening scan may still be counting this entry's files: wait, or some would be missed.
    await this.ready
    const owned = [...this.sizes.keys()].filter((path) => this.ownerOf(path) === entryId)
    await Promise.all(owned.map((path) => this.remove(path)))
  }

  private async scan(isLive: (entryId: string) => boolean): Promise<void> {
    await this.fs.mkdir(this.folder, true).catch(() => undefined)
    const names = await this.fs.readdir(this.folder).catch(() => [] as string[])
    for (const name of names) {
      const path = `${this.folder}/${name}`
      const owner = this.ownerOf(path)
      if (owner === undefined || !isLive(owner)) {
        await this.fs.unlink(path).catch(() => undefined)
        continue
      }
      const stats = await this.fs.stat(path).catch(() => undefined)
      if (stats) this.track(path, stats.size)
    }
  }

  private ownerOf(path: string): string | undefined {
    const name = path.slice(path.lastIndexOf('/') + 1)
    const dot = name.indexOf('.')
    return dot > 0 ? name.slice(0, dot) : undefined
  }

  private track(path: string, bytes: number): void {
    this.usedBytes += bytes - (this.sizes.get(path) ?? 0)
    this.sizes.set(path, bytes)
  }

  private async remove(path: string): Promise<void> {
    await this.fs.unlink(path).catch(() => undefined)
    this.usedBytes -= this.sizes.get(path) ?? 0
    this.sizes.delete(path)
  }
}
