/**
 * `miniprogram-offline/testing`: an emulated WeChat runtime for tests in Node.
 * @packageDocumentation
 */
export { createWxEmulator, WxEmulator } from './emulator'
export type { WxEmulatorOptions, BaseLibraryFeatures, EmulatedWx, LaunchSpec, NetworkMonitor, FileSystemInspector } from './emulator'
export { AppKilledError, FaultInjector } from './fault-injector'
export type { WriteKind, WriteRecord } from './fault-injector'
export type { StorageLimits } from './emulated-storage'
export { VirtualClock } from './virtual-clock'
export { NetworkErrno } from './emulated-network'
export type { NetworkApi, NetworkStats } from './emulated-network'
export { DEFAULT_TIMEOUT_MS } from './emulated-http'
export type {
  EmulatedRequestOptions,
  EmulatedRequestSuccess,
  EmulatedUploadOptions,
  EmulatedUploadSuccess,
  EmulatedDownloadSuccess,
} from './emulated-http'
export { encodeMultipart } from './multipart'
export type { MultipartBody, MultipartFile, MultipartInput } from './multipart'
export { USER_DATA_PATH, TEMP_DIR_PATH, DEFAULT_FILE_QUOTA_BYTES } from './emulated-file-system'
export type { EmulatedStats, EmulatedStatsEntry, FileContent } from './emulated-file-system'
export type { FileCallbacks, EmulatedFileSystemManager, FileEncoding } from './file-system-manager'
export { EmulatedFileError, FileErrorCode } from './file-errors'
export type { CompressImageOptions } from './emulated-media'
export type { UniTarget } from './uni-view'
export { EMULATED_SDK_VERSION } from './emulated-app-info'
export type {
  EmulatedAppBaseInfo,
  EmulatedAppError,
  EmulatedAppRoute,
  EmulatedDeviceInfo,
  EmulatedLaunchOptions,
  EmulatedSystemInfo,
  EmulatedWindowInfo,
} from './emulated-app-info'
