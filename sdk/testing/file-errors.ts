/**
 * WeChat's `FileError` codes and messages (from the official typings), so
 * the SDK's error handling is tested against what phones really report.
 */

/** The `FileError` codes the emulator produces. */
export const FileErrorCode = {
  noSuchFile: 1300002,
  permissionDenied: 1300013,
  notADirectory: 1300020,
  invalidArgument: 1300022,
  directoryNotEmpty: 1300066,
  systemError: 1300201,
  storageLimitExceeded: 1300202,
  illegalOperationOnDirectory: 1301003,
  fileAlreadyExists: 1301005,
  tempFileNotExist: 1301112,
} as const

/** A file-system failure: `fail({ errMsg, errCode })` in async calls, thrown by `*Sync` calls. */
export class EmulatedFileError extends Error {
  readonly errMsg: string
  readonly errCode: number

  constructor(errMsg: string, errCode: number) {
    super(errMsg)
    this.name = 'EmulatedFileError'
    this.errMsg = errMsg
    this.errCode = errCode
  }
}

/** Builds the emulator's file errors for one API (`readFile`, `mkdirSync`, ...). */
export const fileErrors = {
  noSuchFile: (api: string, path: string) =>
    new EmulatedFileError(`${api}:fail no such file or directory, ${api} ${path}`, FileErrorCode.noSuchFile),
  permissionDenied: (api: string, path: string) =>
    new EmulatedFileError(`${api}:fail permission denied, ${api} ${path}`, FileErrorCode.permissionDenied),
  notADirectory: (api: string, path: string) =>
    new EmulatedFileError(`${api}:fail not a directory ${path}`, FileErrorCode.notADirectory),
  invalidArgument: (api: string, detail: string) =>
    new EmulatedFileError(`${api}:fail Invalid argument ${detail}`, FileErrorCode.invalidArgument),
  directoryNotEmpty: (api: string, path: string) =>
    new EmulatedFileError(`${api}:fail directory not empty ${path}`, FileErrorCode.directoryNotEmpty),
  systemError: (api: string, detail: string) =>
    new EmulatedFileError(`${api}:fail system error ${detail}`, FileErrorCode.systemError),
  storageLimitExceeded: (api: string) =>
    new EmulatedFileError(
      `${api}:fail the maximum size of the file storage limit is exceeded`,
      FileErrorCode.storageLimitExceeded,
    ),
  illegalOperationOnDirectory: (api: string, path: string) =>
    new EmulatedFileError(
      `${api}:fail illegal operation on a directory, ${api} ${path}`,
      FileErrorCode.illegalOperationOnDirectory,
    ),
  fileAlreadyExists: (api: string, path: string) =>
    new EmulatedFileError(`${api}:fail file already exists ${path}`, FileErrorCode.fileAlreadyExists),
  tempFileNotExist: (api: string) =>
    new EmulatedFileError(`${api}:fail tempFilePath file not exist`, FileErrorCode.tempFileNotExist),
}

/** Translates a Node `fs` error into the WeChat error a phone would give. */
export function fromNodeError(api: string, path: string, error: unknown): EmulatedFileError {
  if (error instanceof EmulatedFileError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return fileErrors.noSuchFile(api, path)
    case 'EEXIST':
      return fileErrors.fileAlreadyExists(api, path)
    case 'ENOTDIR':
      return fileErrors.notADirectory(api, path)
    case 'EISDIR':
      return fileErrors.illegalOperationOnDirectory(api, path)
    case 'ENOTEMPTY':
      return fileErrors.directoryNotEmpty(api, path)
    case 'EACCES':
    case 'EPERM':
      return fileErrors.permissionDenied(api, path)
    default:
      return fileErrors.systemError(api, error instanceof Error ? error.message : String(error))
  }
}
