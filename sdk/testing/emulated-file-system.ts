import * as fs from 'fs'
import * as os from 'os'
import * as nodePath from 'path'
import { randomBytes } from 'crypto'
import type { Clock } from '../platform/platform'
import { binaryToBuffer, nodeEncoding, toArrayBuffer } from './bytes'
import { AppKilledError, type FaultInjector } from './fault-injector'
import { EmulatedFileError, FileErrorCode, fileErrors, fromNodeError } from './file-errors'

/** `wx.env.USER_DATA_PATH`: the app's own writable folder. */
export const USER_DATA_PATH = 'wxfile://usr'
/** Where temp files (chooseMedia, compressImage, downloadFile) live in the emulator. */
export const TEMP_DIR_PATH = 'wxfile://tmp'

const MIB = 1024 * 1024
/** WeChat's local file limit per mini-program: 200 MB. */
export const DEFAULT_FILE_QUOTA_BYTES = 200 * MIB

/** What `stat` reports, shaped like WeChat's `Stats`. */
export interface EmulatedStats {
  size: number
  /** Seconds since the epoch, on the emulator clock. */
  lastModifiedTime: number
  /** Seconds since the epoch. */
  lastAccessedTime: number
  mode: number
  isFile(): boolean
  isDirectory(): boolean
}

/** One entry of a recursive `stat`: `path` is relative to the directory asked for, `'/'` for itself. */
export interface EmulatedStatsEntry {
  path: string
  stats: EmulatedStats
}

/** Content a test or an API can write: text (UTF-8 unless an encoding says otherwise) or bytes. */
export type FileContent = string | ArrayBuffer | ArrayBufferView

type Zone = 'usr' | 'tmp'

interface ResolvedPath {
  zone: Zone
  /** Path on the real disk, inside the emulator's temp directory. */
  real: string
  /** The path as the app gave it. */
  virtual: string
  /** The zone's own folder (`wxfile://usr` itself). */
  isZoneRoot: boolean
}

type Access = 'read' | 'write'

const VIRTUAL_PATH = /^wxfile:\/\/(usr|tmp)(?:\/(.*))?$/

/**
 * The mini-program's disk, kept in a real temporary directory: `wxfile://usr`
 * (user files, counted against the quota, kept across restarts) and
 * `wxfile://tmp` (temp files, dropped on restart). Each method takes the wx
 * API name it serves, for error messages and the fault log; every write
 * passes `faults.beforeWrite` first, so a killed write is never applied.
 *
 * The real directory is created on first use; call {@link dispose} to remove it.
 */
export class EmulatedFileSystem {
  /** Bytes all user files may take together. */
  readonly quotaBytes: number
  private root: string | undefined
  private disposed = false
  private userBytes = 0
  private tempCounter = 0

  constructor(
    private readonly faults: FaultInjector,
    private readonly clock: Clock,
    options: { quotaBytes?: number } = {},
  ) {
    this.quotaBytes = options.quotaBytes ?? DEFAULT_FILE_QUOTA_BYTES
  }

  /** Bytes taken by user files (everything under `wxfile://usr`; temp files do not count). */
  get usedBytes(): number {
    return this.userBytes
  }

  /** The real directory behind the emulated disk (created on first use). */
  get rootDir(): string {
    if (this.disposed) throw new Error('emulator: the file system was disposed')
    if (this.root === undefined) {
      this.root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'wx-emulator-'))
      fs.mkdirSync(nodePath.join(this.root, 'usr'))
      fs.mkdirSync(nodePath.join(this.root, 'tmp'))
    }
    return this.root
  }

  // ----- helpers for tests and for the other emulated APIs -----

  /** True when the path names an existing file or directory. */
  exists(path: string): boolean {
    try {
      return fs.existsSync(this.resolve('exists', path, 'read').real)
    } catch {
      return false
    }
  }

  /** The bytes of a file, or `undefined` when it is missing or a directory. */
  tryReadBytes(path: string): Buffer | undefined {
    try {
      const target = this.resolve('read', path, 'read')
      return fs.statSync(target.real).isFile() ? fs.readFileSync(target.real) : undefined
    } catch {
      return undefined
    }
  }

  /** Temp files currently on disk, as `wxfile://tmp/...` paths. */
  listTempFiles(): string[] {
    return fs.readdirSync(nodePath.join(this.rootDir, 'tmp')).map((name) => `${TEMP_DIR_PATH}/${name}`)
  }

  /**
   * Writes a new temp file and returns its path. `api` is set when a runtime
   * API writes it (compressImage, downloadFile): that write goes through the
   * fault injector. Without it (a test standing in for `wx.chooseMedia`) it does not.
   */
  createTempFile(content: FileContent, extension: string, api?: string): string {
    const bytes = this.encode(api ?? 'createTempFile', content)
    this.tempCounter += 1
    const name = `${this.tempCounter}_${randomBytes(6).toString('hex')}.${sanitizeExtension(extension)}`
    const real = nodePath.join(this.rootDir, 'tmp', name)
    if (api !== undefined) this.beforeWrite(api, `${TEMP_DIR_PATH}/${name}`)
    fs.writeFileSync(real, bytes)
    this.touch(real)
    return `${TEMP_DIR_PATH}/${name}`
  }

  /** Deletes every temp file (a cold start). */
  clearTemp(): void {
    if (this.root === undefined || this.disposed) return
    const tmp = nodePath.join(this.root, 'tmp')
    fs.rmSync(tmp, { recursive: true, force: true })
    fs.mkdirSync(tmp)
  }

  /** Removes the real directory. The file system cannot be used afterwards. */
  dispose(): void {
    if (this.root !== undefined) fs.rmSync(this.root, { recursive: true, force: true })
    this.root = undefined
    this.disposed = true
  }

  // ----- reads -----

  /** Fails with 1300002 when nothing is at `path`. */
  access(api: string, path: string): void {
    const target = this.resolve(api, path, 'read')
    if (!fs.existsSync(target.real)) throw fileErrors.noSuchFile(api, path)
  }

  /** The file's bytes as an ArrayBuffer, or as text when an encoding is given. */
  readFile(api: string, filePath: string, encoding?: string): string | ArrayBuffer {
    const target = this.resolve(api, filePath, 'read')
    const bytes = this.readExistingFile(api, target)
    if (encoding === undefined) return toArrayBuffer(bytes)
    const node = nodeEncoding(encoding)
    if (!node) throw fileErrors.invalidArgument(api, `encoding ${encoding}`)
    return bytes.toString(node)
  }

  /** The bytes of an existing file (for uploads and compressImage). */
  readBytes(api: string, filePath: string): Buffer {
    return this.readExistingFile(api, this.resolve(api, filePath, 'read'))
  }

  /** Stats of a file or folder; with `recursive`, one entry per item below a folder as well. */
  stat(api: string, path: string, recursive = false): EmulatedStats | EmulatedStatsEntry[] {
    const target = this.resolve(api, path, 'read')
    const stats = this.statOrFail(api, target)
    if (!recursive || !stats.isDirectory()) return toStats(stats)
    return [{ path: '/', stats: toStats(stats) }, ...this.statTree(target.real, '')]
  }

  /** Names of a folder's entries. */
  readdir(api: string, dirPath: string): string[] {
    const target = this.resolve(api, dirPath, 'read')
    const stats = this.statOrFail(api, target)
    if (!stats.isDirectory()) throw fileErrors.notADirectory(api, dirPath)
    return fs.readdirSync(target.real)
  }

  // ----- writes: validate, check the quota, pass the fault injector, then apply -----

  /** Writes a whole user file; strings are encoded with `encoding` (UTF-8 by default), bytes are written raw. */
  writeFile(api: string, filePath: string, data: FileContent, encoding?: string): void {
    const target = this.resolve(api, filePath, 'write')
    const bytes = this.encode(api, data, encoding)
    this.writeBytes(api, target, bytes)
  }

  /** Writes a downloaded body to a user path (downloadFile with `filePath`). */
  writeDownloaded(api: string, filePath: string, bytes: Buffer): void {
    this.writeBytes(api, this.resolve(api, filePath, 'write'), bytes)
  }

  /** Copies a file (from anywhere readable) to a user path. */
  copyFile(api: string, srcPath: string, destPath: string): void {
    const source = this.resolve(api, srcPath, 'read')
    const bytes = this.readExistingFile(api, source)
    const target = this.resolve(api, destPath, 'write')
    this.writeBytes(api, target, bytes)
  }

  /** Moves a temp file (or any file) to `filePath`, by default into the user folder. */
  saveFile(api: string, tempFilePath: string, filePath?: string): string {
    const source = this.resolve(api, tempFilePath, 'read')
    const sourceStats = statIfExists(source.real)
    if (!sourceStats || !sourceStats.isFile()) throw fileErrors.tempFileNotExist(api)
    const destPath = filePath ?? `${USER_DATA_PATH}/${nodePath.basename(source.real)}`
    this.move(api, source, this.resolve(api, destPath, 'write'), sourceStats)
    return destPath
  }

  /** Moves a file or folder to a user path, replacing a file already there. */
  rename(api: string, oldPath: string, newPath: string): void {
    const source = this.resolve(api, oldPath, 'read')
    const sourceStats = this.statOrFail(api, source)
    if (source.isZoneRoot) throw fileErrors.permissionDenied(api, oldPath)
    this.move(api, source, this.resolve(api, newPath, 'write'), sourceStats)
  }

  /** Deletes a file (user or temp). */
  unlink(api: string, filePath: string): void {
    const target = this.resolve(api, filePath, 'read')
    const stats = this.statOrFail(api, target)
    if (stats.isDirectory()) throw fileErrors.illegalOperationOnDirectory(api, filePath)
    this.beforeWrite(api, filePath)
    this.applyOrTranslate(api, filePath, () => fs.unlinkSync(target.real))
    if (target.zone === 'usr') this.userBytes -= stats.size
  }

  /** Creates a user folder; an existing one fails with 1301005, even with `recursive`. */
  mkdir(api: string, dirPath: string, recursive = false): void {
    const target = this.resolve(api, dirPath, 'write')
    if (fs.existsSync(target.real)) throw fileErrors.fileAlreadyExists(api, dirPath)
    const parent = statIfExists(nodePath.dirname(target.real))
    if (!recursive && !parent) throw fileErrors.noSuchFile(api, dirPath)
    if (parent && !parent.isDirectory()) throw fileErrors.notADirectory(api, dirPath)
    this.beforeWrite(api, dirPath)
    this.applyOrTranslate(api, dirPath, () => fs.mkdirSync(target.real, { recursive }))
  }

  /** Removes a directory; the zone's own folder is emptied rather than removed. */
  rmdir(api: string, dirPath: string, recursive = false): void {
    const target = this.resolve(api, dirPath, 'write')
    const stats = this.statOrFail(api, target)
    if (!stats.isDirectory()) throw fileErrors.notADirectory(api, dirPath)
    const children = fs.readdirSync(target.real)
    if (!recursive && children.length > 0) throw fileErrors.directoryNotEmpty(api, dirPath)
    const freed = treeBytes(target.real)
    this.beforeWrite(api, dirPath)
    this.applyOrTranslate(api, dirPath, () => {
      if (!target.isZoneRoot) fs.rmSync(target.real, { recursive: true })
      else for (const child of children) fs.rmSync(nodePath.join(target.real, child), { recursive: true })
    })
    if (target.zone === 'usr') this.userBytes -= freed
  }

  // ----- internals -----

  /** Maps a `wxfile://` path to the real disk; paths escaping their zone or outside `usr` for writes are refused. */
  private resolve(api: string, virtual: string, access: Access): ResolvedPath {
    const match = typeof virtual === 'string' ? VIRTUAL_PATH.exec(virtual) : null
    if (!match) {
      const shown = String(virtual)
      throw access === 'write' ? fileErrors.permissionDenied(api, shown) : fileErrors.noSuchFile(api, shown)
    }
    const zone = match[1] as Zone
    const segments: string[] = []
    for (const segment of (match[2] ?? '').split('/')) {
      if (segment === '' || segment === '.') continue
      if (segment === '..') {
        if (segments.length === 0) throw fileErrors.permissionDenied(api, virtual)
        segments.pop()
      } else segments.push(segment)
    }
    // WeChat lets an app write only under USER_DATA_PATH.
    if (access === 'write' && zone !== 'usr') throw fileErrors.permissionDenied(api, virtual)
    return { zone, real: nodePath.join(this.rootDir, zone, ...segments), virtual, isZoneRoot: segments.length === 0 }
  }

  private readExistingFile(api: string, target: ResolvedPath): Buffer {
    const stats = this.statOrFail(api, target)
    if (stats.isDirectory()) throw fileErrors.illegalOperationOnDirectory(api, target.virtual)
    return fs.readFileSync(target.real)
  }

  private statOrFail(api: string, target: ResolvedPath): fs.Stats {
    const stats = statIfExists(target.real)
    if (!stats) throw fileErrors.noSuchFile(api, target.virtual)
    return stats
  }

  private statTree(realDir: string, relative: string): EmulatedStatsEntry[] {
    const entries: EmulatedStatsEntry[] = []
    for (const name of fs.readdirSync(realDir)) {
      const real = nodePath.join(realDir, name)
      const stats = fs.statSync(real)
      const path = `${relative}/${name}`
      entries.push({ path, stats: toStats(stats) })
      if (stats.isDirectory()) entries.push(...this.statTree(real, path))
    }
    return entries
  }

  private encode(api: string, data: FileContent, encoding?: string): Buffer {
    const binary = binaryToBuffer(data)
    if (binary) return Buffer.from(binary)
    if (typeof data !== 'string') throw fileErrors.invalidArgument(api, 'data should be String or ArrayBuffer')
    const node = nodeEncoding(encoding ?? 'utf8')
    if (!node) throw fileErrors.invalidArgument(api, `encoding ${encoding}`)
    return Buffer.from(data, node)
  }

  /** Writes a whole file to a user path: parent must exist, target must not be a directory, quota must allow it. */
  private writeBytes(api: string, target: ResolvedPath, bytes: Buffer): void {
    const parent = statIfExists(nodePath.dirname(target.real))
    if (!parent) throw fileErrors.noSuchFile(api, target.virtual)
    if (!parent.isDirectory()) throw fileErrors.notADirectory(api, target.virtual)
    const existing = statIfExists(target.real)
    if (existing?.isDirectory()) throw fileErrors.illegalOperationOnDirectory(api, target.virtual)
    const delta = bytes.length - (existing?.size ?? 0)
    this.checkQuota(api, target.zone, delta)
    this.beforeWrite(api, target.virtual)
    this.applyOrTranslate(api, target.virtual, () => fs.writeFileSync(target.real, bytes))
    this.touch(target.real)
    if (target.zone === 'usr') this.userBytes += delta
  }

  /** Renames across zones, keeping the user-file byte count right. */
  private move(api: string, source: ResolvedPath, target: ResolvedPath, sourceStats: fs.Stats): void {
    const parent = statIfExists(nodePath.dirname(target.real))
    if (!parent) throw fileErrors.noSuchFile(api, target.virtual)
    if (!parent.isDirectory()) throw fileErrors.notADirectory(api, target.virtual)
    const existing = statIfExists(target.real)
    if (existing?.isDirectory() && !sourceStats.isDirectory()) {
      throw fileErrors.illegalOperationOnDirectory(api, target.virtual)
    }
    const size = sourceStats.isDirectory() ? treeBytes(source.real) : sourceStats.size
    const replaced = existing ? treeBytes(target.real) : 0
    const delta = (target.zone === 'usr' ? size - replaced : 0) - (source.zone === 'usr' ? size : 0)
    this.checkQuota(api, target.zone, delta)
    this.beforeWrite(api, target.virtual)
    this.applyOrTranslate(api, target.virtual, () => fs.renameSync(source.real, target.real))
    this.userBytes += delta
  }

  private checkQuota(api: string, zone: Zone, delta: number): void {
    if (zone === 'usr' && delta > 0 && this.userBytes + delta > this.quotaBytes) throw fileErrors.storageLimitExceeded(api)
  }

  /** The fault injector may throw (injected failure) or kill the app; either way nothing is applied. */
  private beforeWrite(api: string, path: string): void {
    try {
      this.faults.beforeWrite('file', api, path)
    } catch (error) {
      if (error instanceof AppKilledError) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new EmulatedFileError(`${api}:fail ${reason}`, FileErrorCode.systemError)
    }
  }

  private applyOrTranslate(api: string, path: string, apply: () => void): void {
    try {
      apply()
    } catch (error) {
      throw fromNodeError(api, path, error)
    }
  }

  /** File times follow the emulator clock, so `lastModifiedTime` moves when a test advances time. */
  private touch(real: string): void {
    const seconds = this.clock.now() / 1000
    fs.utimesSync(real, seconds, seconds)
  }
}

function statIfExists(real: string): fs.Stats | undefined {
  try {
    return fs.statSync(real)
  } catch {
    return undefined
  }
}

function treeBytes(real: string): number {
  const stats = statIfExists(real)
  if (!stats) return 0
  if (!stats.isDirectory()) return stats.size
  return fs.readdirSync(real).reduce((sum, name) => sum + treeBytes(nodePath.join(real, name)), 0)
}

function toStats(stats: fs.Stats): EmulatedStats {
  const isFile = stats.isFile()
  const isDirectory = stats.isDirectory()
  return {
    size: stats.size,
    lastModifiedTime: Math.floor(stats.mtimeMs / 1000),
    lastAccessedTime: Math.floor(stats.atimeMs / 1000),
    mode: stats.mode,
    isFile: () => isFile,
    isDirectory: () => isDirectory,
  }
}

function sanitizeExtension(extension: string): string {
  const cleaned = extension.replace(/^\./, '').replace(/[^A-Za-z0-9]/g, '')
  return cleaned === '' ? 'unknown' : cleaned
}
