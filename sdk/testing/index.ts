/**
 * `miniprogram-offline/testing`: an emulated WeChat runtime for tests in Node.
 * @packageDocumentation
 */
export { createWxEmulator, WxEmulator } from './emulator'
export type { WxEmulatorOptions, BaseLibraryFeatures } from './emulator'
export { AppKilledError, FaultInjector } from './fault-injector'
export type { WriteKind, WriteRecord } from './fault-injector'
export type { StorageLimits } from './emulated-storage'
export { VirtualClock } from './virtual-clock'
