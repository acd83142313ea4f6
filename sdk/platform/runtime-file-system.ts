import { PlatformFileError, UnsupportedError } from '../errors'
import type { FileStats, PlatformFileSystem } from './platform'
import type { MiniProgramRuntime, RuntimeFailure, RuntimeFileSystemManager, RuntimeStats } from './runtime'

type Callbacks<T> = { success: (result: T) => void; fail: (error: RuntimeFailure) => void }

/** Runs one callback-style file call as a promise that rejects with {@link PlatformFileError}. */
function call<T>(start: (callbacks: Callbacks<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start({ success: resolve, fail: (error) => reject(new PlatformFileError(error.errMsg, error.errCode ?? error.errno)) })
  })
}

function toFileStats(stats: RuntimeStats): FileStats {
  return {
    size: stats.size,
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    lastModifiedTime: stats.lastModifiedTime,
  }
}

function wrap(manager: RuntimeFileSystemManager, userDataPath: string): PlatformFileSystem {
  const readFile = (filePath: string, encoding?: 'utf8') =>
    call<{ data: string | ArrayBuffer }>((callbacks) => manager.readFile({ filePath, encoding, ...callbacks })).then(
      (result) => result.data,
    )
  return {
    userDataPath,
    access: (path) => call((callbacks) => manager.access({ path, ...callbacks })).then(() => undefined),
    copyFile: (srcPath, destPath) =>
      call((callbacks) => manager.copyFile({ srcPath, destPath, ...callbacks })).then(() => undefined),
    saveFile: (tempFilePath, filePath) =>
      call<{ savedFilePath: string }>((callbacks) => manager.saveFile({ tempFilePath, filePath, ...callbacks })).then(
        (result) => result.savedFilePath,
      ),
    writeFile: (filePath, data, encoding) =>
      call((callbacks) => manager.writeFile({ filePath, data, encoding, ...callbacks })).then(() => undefined),
    readFile: readFile as PlatformFileSystem['readFile'],
    unlink: (filePath) => call((callbacks) => manager.unlink({ filePath, ...callbacks })).then(() => undefined),
    stat: (path) =>
      call<{ stats: RuntimeStats | unknown[] | Record<string, unknown> }>((callbacks) =>
        manager.stat({ path, ...callbacks }),
      ).then((result) => toFileStats(result.stats as RuntimeStats)),
    mkdir: (dirPath, recursive = false) =>
      call((callbacks) => manager.mkdir({ dirPath, recursive, ...callbacks })).then(() => undefined),
    readdir: (dirPath) =>
      call<{ files: string[] }>((callbacks) => manager.readdir({ dirPath, ...callbacks })).then((result) => result.files),
    rename: (oldPath, newPath) =>
      call((callbacks) => manager.rename({ oldPath, newPath, ...callbacks })).then(() => undefined),
    rmdir: (dirPath, recursive = false) =>
      call((callbacks) => manager.rmdir({ dirPath, recursive, ...callbacks })).then(() => undefined),
  }
}

/** Every method rejects with `UnsupportedError`: the runtime has no file system (uni-app H5, App). */
function unsupportedFileSystem(runtimeName: string): PlatformFileSystem {
  const fail = (): Promise<never> => Promise.reject(new UnsupportedError('fileSystem', runtimeName))
  return {
    get userDataPath(): string {
      throw new UnsupportedError('fileSystem', runtimeName)
    },
    access: fail,
    copyFile: fail,
    saveFile: fail,
    writeFile: fail,
    readFile: fail,
    unlink: fail,
    stat: fail,
    mkdir: fail,
    readdir: fail,
    rename: fail,
    rmdir: fail,
  }
}

/** The file system over `getFileSystemManager()`, or an unsupported stand-in where there is none. */
export function createRuntimeFileSystem(runtime: MiniProgramRuntime, runtimeName: string): PlatformFileSystem {
  const userDataPath = runtime.env?.USER_DATA_PATH
  if (!runtime.getFileSystemManager || !userDataPath) return unsupportedFileSystem(runtimeName)
  return wrap(runtime.getFileSystemManager(), userDataPath)
}
