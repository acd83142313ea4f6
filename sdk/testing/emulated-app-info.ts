/**
 * What the emulated phone says about itself: the synchronous info APIs a
 * built uni-app `common/vendor.js` (and many apps) call at load, with values
 * shaped like a WeChat 8.0 client on an iPhone 13. The SDK never reads them;
 * they exist so real framework code runs on the emulator unchanged.
 */

/** `wx.getDeviceInfo()` (base library 2.20.1). */
export interface EmulatedDeviceInfo {
  abi: string
  deviceAbi: string
  benchmarkLevel: number
  brand: string
  model: string
  system: string
  platform: 'ios' | 'android' | 'windows' | 'mac' | 'devtools'
  cpuType: string
  memorySize: string
}

/** `wx.getWindowInfo()` (2.20.1): sizes in CSS pixels. */
export interface EmulatedWindowInfo {
  pixelRatio: number
  screenWidth: number
  screenHeight: number
  windowWidth: number
  windowHeight: number
  statusBarHeight: number
  screenTop: number
  safeArea: { left: number; right: number; top: number; bottom: number; width: number; height: number }
}

/** `wx.getAppBaseInfo()` (2.20.1). */
export interface EmulatedAppBaseInfo {
  SDKVersion: string
  enableDebug: boolean
  host: { appId: string }
  language: string
  version: string
  theme: 'light' | 'dark'
  fontSizeSetting: number
  fontSizeScaleFactor: number
}

/** `wx.getSystemInfoSync()`: the three above in one object, plus authorisation flags. */
export interface EmulatedSystemInfo extends EmulatedDeviceInfo, EmulatedWindowInfo, EmulatedAppBaseInfo {
  deviceOrientation: 'portrait' | 'landscape'
  albumAuthorized: boolean
  cameraAuthorized: boolean
  locationAuthorized: boolean
  microphoneAuthorized: boolean
  notificationAuthorized: boolean
  bluetoothEnabled: boolean
  locationEnabled: boolean
  wifiEnabled: boolean
}

/** `wx.getLaunchOptionsSync()`: how this run was started. */
export interface EmulatedLaunchOptions {
  path: string
  query: Record<string, string>
  /** 1001: opened from the recent list (发现栏小程序主入口). */
  scene: number
  referrerInfo: { appId?: string; extraData?: Record<string, unknown> }
  forwardMaterials: unknown[]
  apiCategory: 'default'
}

/** What `wx.onError` listeners receive. */
export interface EmulatedAppError {
  message: string
  stack: string
}

/** What `wx.onAppRoute` listeners receive (an undocumented but long-standing API). */
export interface EmulatedAppRoute {
  path: string
  query: Record<string, string>
  openType: 'appLaunch' | 'navigateTo' | 'redirectTo' | 'navigateBack' | 'switchTab' | 'reLaunch'
  webviewId: number
}

/** The emulated base library version, also what `SDKVersion` reports. */
export const EMULATED_SDK_VERSION = '3.3.4'

const DEVICE: EmulatedDeviceInfo = {
  abi: 'arm64',
  deviceAbi: 'arm64',
  benchmarkLevel: 1,
  brand: 'iPhone',
  model: 'iPhone 13<iPhone14,5>',
  system: 'iOS 17.1.1',
  platform: 'ios',
  cpuType: 'unknown',
  memorySize: '3840',
}

const WINDOW: EmulatedWindowInfo = {
  pixelRatio: 3,
  screenWidth: 390,
  screenHeight: 844,
  windowWidth: 390,
  // Below a 47 px status bar and a 44 px navigation bar.
  windowHeight: 753,
  statusBarHeight: 47,
  screenTop: 91,
  safeArea: { left: 0, right: 390, top: 47, bottom: 810, width: 390, height: 763 },
}

const APP_BASE: EmulatedAppBaseInfo = {
  SDKVersion: EMULATED_SDK_VERSION,
  enableDebug: false,
  host: { appId: 'wx0000000000000000' },
  language: 'zh_CN',
  version: '8.0.44',
  theme: 'light',
  fontSizeSetting: 17,
  fontSizeScaleFactor: 1,
}

/** `wx.getDeviceInfo()`: a fresh copy each call, as the runtime returns. */
export function deviceInfo(): EmulatedDeviceInfo {
  return { ...DEVICE }
}

/** `wx.getWindowInfo()`, a fresh copy. */
export function windowInfo(): EmulatedWindowInfo {
  return { ...WINDOW, safeArea: { ...WINDOW.safeArea } }
}

/** `wx.getAppBaseInfo()`, a fresh copy. */
export function appBaseInfo(): EmulatedAppBaseInfo {
  return { ...APP_BASE, host: { ...APP_BASE.host } }
}

/** `wx.getSystemInfoSync()`, a fresh copy. */
export function systemInfo(): EmulatedSystemInfo {
  return {
    ...deviceInfo(),
    ...windowInfo(),
    ...appBaseInfo(),
    deviceOrientation: 'portrait',
    albumAuthorized: true,
    cameraAuthorized: true,
    locationAuthorized: true,
    microphoneAuthorized: true,
    notificationAuthorized: true,
    bluetoothEnabled: false,
    locationEnabled: true,
    wifiEnabled: true,
  }
}

/** The launch options of a run started on `path` (default `pages/index/index`). */
export function launchOptions(path = 'pages/index/index', query: Record<string, string> = {}, scene = 1001): EmulatedLaunchOptions {
  return { path, query: { ...query }, scene, referrerInfo: {}, forwardMaterials: [], apiCategory: 'default' }
}

/**
 * `wx.canIUse(schema)`: true when the schema's first segment (`'request'`,
 * `'getFileSystemManager.readFile'`, `'getSystemInfoSync.return.safeArea'`)
 * names an API this emulated `wx` has. Components and anything else the
 * emulator does not model answer false, so feature-detecting code takes its
 * conservative path.
 */
export function canIUse(runtime: object, schema: unknown): boolean {
  if (typeof schema !== 'string' || schema === '') return false
  const api = schema.split('.')[0]
  return Object.prototype.hasOwnProperty.call(runtime, api)
}
