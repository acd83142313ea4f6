import { PlatformFileError } from '../errors'
import type { PlatformFileSystem } from '../platform/platform'
import { toPathSegment } from '../util/path-segment'

/** WeChat's FileError codes the read side handles. */
const NO_SUCH_FILE = 1300002
const ALREADY_EXISTS = 1301005

/**
 * Where the read side keeps files: `USER_DATA_PATH/mpo/<namespace>/~cache/`,
 * with `images/` for kept images and `precache-<slot>/` per manifest
 * version. `~` keeps it apart from the outbox's per-queue folders beside it;
 * the namespace is escaped so any namespace is a safe folder name.
 */
export class CacheFolder {
  private readonly segment: string

  constructor(
    private readonly fs: PlatformFileSystem,
    namespace: string,
  ) {
    this.segment = toPathSegment(namespace)
  }

  /** Read when first needed: on runtimes without a file system it throws `UnsupportedError`. */
  get root(): string {
    return `${this.fs.userDataPath}/mpo/${this.segment}/~cache`
  }

  get images(): string {
    return `${this.root}/images`
  }

  /** The folder of a precache version slot. */
  precache(slot: number): string {
    return `${this.root}/${precacheFolderName(slot)}`
  }

  /** Creates `path` and its parents; an existing folder is fine. */
  async ensure(path: string): Promise<void> {
    try {
      await this.fs.mkdir(path, true)
    } catch (error) {
      if (!(error instanceof PlatformFileError && error.errCode === ALREADY_EXISTS)) throw error
    }
  }

  /** Names in `path`, or none when it does not exist. */
  async list(path: string): Promise<string[]> {
    try {
      return await this.fs.readdir(path)
    } catch (error) {
      if (error instanceof PlatformFileError && error.errCode === NO_SUCH_FILE) return []
      throw error
    }
  }

  /** Removes a folder and everything in it; a missing one is fine. */
  async removeTree(path: string): Promise<void> {
    try {
      await this.fs.rmdir(path, true)
    } catch (error) {
      if (!(error instanceof PlatformFileError && error.errCode === NO_SUCH_FILE)) throw error
    }
  }

  /** Removes a file; a missing one is fine. */
  async removeFile(path: string): Promise<void> {
    try {
      await this.fs.unlink(path)
    } catch (error) {
      if (!(error instanceof PlatformFileError && error.errCode === NO_SUCH_FILE)) throw error
    }
  }

  /** Whether a file is there. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.fs.access(path)
      return true
    } catch (error) {
      if (error instanceof PlatformFileError) return false
      throw error
    }
  }
}

/** `precache-<slot36>`. */
export function precacheFolderName(slot: number): string {
  return `precache-${slot.toString(36)}`
}

/** The slot of a `precache-<slot36>` folder name, or `undefined`. */
export function parsePrecacheFolderName(name: string): number | undefined {
  const match = /^precache-([0-9a-z]+)$/.exec(name)
  return match ? parseInt(match[1], 36) : undefined
}
