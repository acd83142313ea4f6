import type { RuntimeFailure, RuntimeFileSystemManager } from '../platform/runtime'
import type { CallbackScheduler } from './callback-scheduler'
import type { EmulatedFileSystem, EmulatedStats, EmulatedStatsEntry } from './emulated-file-system'
import { AppKilledError, type FaultInjector } from './fault-injector'
import { EmulatedFileError, FileErrorCode } from './file-errors'

/** The callback pair of every async file call. */
export interface FileCallbacks<T> {
  success?: (result: T) => void
  fail?: (error: RuntimeFailure) => void
}

/** Encodings the emulated manager accepts (WeChat's list). */
export type FileEncoding =
  | 'utf8'
  | 'utf-8'
  | 'binary'
  | 'latin1'
  | 'ascii'
  | 'base64'
  | 'hex'
  | 'ucs2'
  | 'ucs-2'
  | 'utf16le'
  | 'utf-16le'

/**
 * `wx.getFileSystemManager()` as the emulator provides it: the callback
 * methods the SDK uses plus their `*Sync` twins, which throw an
 * {@link EmulatedFileError} (message = errMsg, with `errCode`).
 */
export interface EmulatedFileSystemManager extends RuntimeFileSystemManager {
  /** Every WeChat encoding; without one the data is an ArrayBuffer. */
  readFile(options: { filePath: string; encoding?: FileEncoding } & FileCallbacks<{ data: string | ArrayBuffer }>): void
  /** With `recursive`, a directory gives one entry per file and folder below it. */
  stat(options: { path: string; recursive?: boolean } & FileCallbacks<{ stats: EmulatedStats | EmulatedStatsEntry[] }>): void
  accessSync(path: string): void
  copyFileSync(srcPath: string, destPath: string): void
  /** Moves the temp file; returns where it went. */
  saveFileSync(tempFilePath: string, filePath?: string): string
  writeFileSync(filePath: string, data: string | ArrayBuffer, encoding?: FileEncoding): void
  readFileSync(filePath: string, encoding?: FileEncoding): string | ArrayBuffer
  unlinkSync(filePath: string): void
  statSync(path: string, recursive?: boolean): EmulatedStats | EmulatedStatsEntry[]
  mkdirSync(dirPath: string, recursive?: boolean): void
  readdirSync(dirPath: string): string[]
  renameSync(oldPath: string, newPath: string): void
  rmdirSync(dirPath: string, recursive?: boolean): void
}


/** Any failure other than a kill becomes a WeChat-shaped file error. */
function asFileError(api: string, error: unknown): EmulatedFileError {
  if (error instanceof EmulatedFileError) return error
  const reason = error instanceof Error ? error.message : String(error)
  return new EmulatedFileError(`${api}:fail ${reason}`, FileErrorCode.systemError)
}

/**
 * Builds the manager over an {@link EmulatedFileSystem}. The work happens at
 * call time; callbacks come later. A kill (at a write or otherwise) throws
 * `AppKilledError` straight out of the call, like every other emulated API.
 */
export function createFileSystemManager(
  files: EmulatedFileSystem,
  faults: FaultInjector,
  callbacks: CallbackScheduler,
): EmulatedFileSystemManager {
  function runSync<T>(api: string, operation: () => T): T {
    faults.assertAlive()
    try {
      return operation()
    } catch (error) {
      if (error instanceof AppKilledError) throw error
      throw asFileError(api, error)
    }
  }

  function runAsync<T extends object>(api: string, options: FileCallbacks<T>, operation: () => T): void {
    let result: T
    try {
      result = runSync(api, operation)
    } catch (error) {
      if (error instanceof AppKilledError) throw error
      const { errMsg, errCode } = asFileError(api, error)
      callbacks.defer(() => options.fail?.({ errMsg, errCode }))
      return
    }
    const delivered = { ...result, errMsg: `${api}:ok` }
    callbacks.defer(() => options.success?.(delivered))
  }

  /** Operations whose success carries nothing but `errMsg`. */
  const nothing = (action: () => void) => (): object => {
    action()
    return {}
  }
  return {
    access: (o) => runAsync('access', o, nothing(() => files.access('access', o.path))),
    copyFile: (o) => runAsync('copyFile', o, nothing(() => files.copyFile('copyFile', o.srcPath, o.destPath))),
    saveFile: (o) =>
      runAsync('saveFile', o, () => ({ savedFilePath: files.saveFile('saveFile', o.tempFilePath, o.filePath) })),
    writeFile: (o) => runAsync('writeFile', o, nothing(() => files.writeFile('writeFile', o.filePath, o.data, o.encoding))),
    readFile: (o) => runAsync('readFile', o, () => ({ data: files.readFile('readFile', o.filePath, o.encoding) })),
    unlink: (o) => runAsync('unlink', o, nothing(() => files.unlink('unlink', o.filePath))),
    stat: (o) => runAsync('stat', o, () => ({ stats: files.stat('stat', o.path, o.recursive) })),
    mkdir: (o) => runAsync('mkdir', o, nothing(() => files.mkdir('mkdir', o.dirPath, o.recursive))),
    readdir: (o) => runAsync('readdir', o, () => ({ files: files.readdir('readdir', o.dirPath) })),
    rename: (o) => runAsync('rename', o, nothing(() => files.rename('rename', o.oldPath, o.newPath))),
    rmdir: (o) => runAsync('rmdir', o, nothing(() => files.rmdir('rmdir', o.dirPath, o.recursive))),

    accessSync: (path) => runSync('accessSync', () => files.access('accessSync', path)),
    copyFileSync: (src, dest) => runSync('copyFileSync', () => files.copyFile('copyFileSync', src, dest)),
    saveFileSync: (temp, filePath) => runSync('saveFileSync', () => files.saveFile('saveFileSync', temp, filePath)),
    writeFileSync: (filePath, data, encoding) =>
      runSync('writeFileSync', () => files.writeFile('writeFileSync', filePath, data, encoding)),
    readFileSync: (filePath, encoding) => runSync('readFileSync', () => files.readFile('readFileSync', filePath, encoding)),
    unlinkSync: (filePath) => runSync('unlinkSync', () => files.unlink('unlinkSync', filePath)),
    statSync: (path, recursive) => runSync('statSync', () => files.stat('statSync', path, recursive)),
    mkdirSync: (dirPath, recursive) => runSync('mkdirSync', () => files.mkdir('mkdirSync', dirPath, recursive)),
    readdirSync: (dirPath) => runSync('readdirSync', () => files.readdir('readdirSync', dirPath)),
    renameSync: (oldPath, newPath) => runSync('renameSync', () => files.rename('renameSync', oldPath, newPath)),
    rmdirSync: (dirPath, recursive) => runSync('rmdirSync', () => files.rmdir('rmdirSync', dirPath, recursive)),
  }
}
