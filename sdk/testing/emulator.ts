import { randomBytes } from 'crypto'
import type { NetworkType, TimerHandle } from '../platform/platform'
import type { MiniProgramRuntime, RuntimeDownloadOptions, RuntimeFailure, RuntimeNetworkStatus, RuntimeTask } from '../platform/runtime'
import { CallbackScheduler } from './callback-scheduler'
import {
  appBaseInfo,
  canIUse,
  deviceInfo,
  launchOptions,
  systemInfo,
  windowInfo,
  type EmulatedAppBaseInfo,
  type EmulatedAppError,
  type EmulatedAppRoute,
  type EmulatedDeviceInfo,
  type EmulatedLaunchOptions,
  type EmulatedSystemInfo,
  type EmulatedWindowInfo,
} from './emulated-app-info'
import { EmulatedFileSystem, USER_DATA_PATH, type FileContent } from './emulated-file-system'
import {
  createDownloadFile,
  createRequest,
  createUploadFile,
  type EmulatedDownloadSuccess,
  type EmulatedRequestOptions,
  type EmulatedUploadOptions,
} from './emulated-http'
import { createCompressImage } from './emulated-media'
import { EmulatedNetwork, type NetworkStats } from './emulated-network'
import { AppKilledError, FaultInjector } from './fault-injector'
import { EmulatedStorage, type StorageLimits } from './emulated-storage'
import { createFileSystemManager, type EmulatedFileSystemManager } from './file-system-manager'
import { AppRun } from './run-guard'
import { createUniView, type UniTarget } from './uni-view'
import { VirtualClock } from './virtual-clock'

/** Which optional APIs the emulated base library has; all `true` by default. */
export interface BaseLibraryFeatures {
  /** `batchSetStorageSync` / `batchGetStorageSync` (2.25.0). */
  batchStorage?: boolean
  /** `offNetworkStatusChange` (2.9.3). */
  offNetworkStatusChange?: boolean
  /** `getRandomValues` (2.15.0). */
  getRandomValues?: boolean
}

/** How to build a {@link WxEmulator}; every option has WeChat's behaviour as its default. */
export interface WxEmulatorOptions {
  /** Storage limits; WeChat's by default (1 MB a key, 10 MB in all). */
  storage?: StorageLimits
  /** Starts online (default) or offline. */
  online?: boolean
  /** Default `'wifi'`. */
  networkType?: Exclude<NetworkType, 'none'>
  features?: BaseLibraryFeatures
  /** Calls in flight at once across request, uploadFile and downloadFile; the rest queue. Default 10. */
  maxConcurrentRequests?: number
  /** Emulator-clock milliseconds in the background before network calls fail `interrupted`. Default 5000. */
  suspendAfterHideMs?: number
  /** Starts "connected but no internet" when `false`. Default `true`. */
  reachable?: boolean
  /** `false` builds a runtime without `getFileSystemManager`, `env` and `compressImage` (uni-app H5). Default `true`. */
  fileSystem?: boolean
  /** Bytes all user files (`wxfile://usr`) may take. Default 200 MiB. */
  fileQuotaBytes?: number
  /** Which uni-app target `emu.uni` imitates. Default `'mp-weixin'`. */
  uniTarget?: UniTarget
  /** How the first run starts (`getLaunchOptionsSync`); `restart()` can change it. */
  launch?: LaunchSpec
}

/** How a run of the app starts: what `wx.getLaunchOptionsSync()` reports. */
export interface LaunchSpec {
  /** Default `'pages/index/index'`. */
  path?: string
  query?: Record<string, string>
  /** Default 1001. */
  scene?: number
}

/**
 * The emulated `wx`: a {@link MiniProgramRuntime} whose network calls return
 * tasks and whose file manager has `*Sync` methods, plus the app-level APIs
 * a host app (and a built uni-app `vendor.js`) calls.
 */
export interface EmulatedWx extends MiniProgramRuntime {
  request(options: EmulatedRequestOptions): RuntimeTask
  uploadFile(options: EmulatedUploadOptions): RuntimeTask
  /** Succeeds with an {@link EmulatedDownloadSuccess}: no `tempFilePath` when `filePath` was given. */
  downloadFile(options: RuntimeDownloadOptions): RuntimeTask
  getFileSystemManager?(): EmulatedFileSystemManager
  /** Removes every key, the SDK's included, as a host app may do (one write for the fault injector). */
  clearStorageSync(): void
  /** The async twin of {@link clearStorageSync}. */
  clearStorage(options?: { success?: (result: { errMsg: string }) => void; fail?: (error: RuntimeFailure) => void }): void
  getSystemInfoSync(): EmulatedSystemInfo
  getDeviceInfo(): EmulatedDeviceInfo
  getWindowInfo(): EmulatedWindowInfo
  getAppBaseInfo(): EmulatedAppBaseInfo
  getLaunchOptionsSync(): EmulatedLaunchOptions
  /** True when the schema's first segment names an API this `wx` has. */
  canIUse(schema: string): boolean
  /** Listens to app errors; {@link WxEmulator.reportError} fires them. */
  onError(listener: (error: EmulatedAppError) => void): void
  offError(listener?: (error: EmulatedAppError) => void): void
  /** Listens to page routes; {@link WxEmulator.route} fires them. */
  onAppRoute(listener: (route: EmulatedAppRoute) => void): void
  offAppRoute(listener?: (route: EmulatedAppRoute) => void): void
}

/** Network numbers for tests, plus a way to restart the counting. */
export interface NetworkMonitor extends NetworkStats {
  /** Starts counting `maxInFlightSeen` and `started` afresh. */
  resetStats(): void
}

/** What tests may inspect of the emulated disk. */
export interface FileSystemInspector {
  /** Bytes taken by user files; temp files do not count. */
  readonly usedBytes: number
  readonly quotaBytes: number
  /** The real directory behind the emulated disk. */
  readonly rootDir: string
  exists(path: string): boolean
  /** A file's bytes, or `undefined` when it is missing. */
  tryReadBytes(path: string): Buffer | undefined
  /** Temp files on disk now, as `wxfile://tmp/...` paths. */
  listTempFiles(): string[]
}

type Listener<T> = (value: T) => void

/**
 * An emulated WeChat for tests in Node: storage with WeChat's limits and
 * errors, network state, app lifecycle, a movable clock, and fault injection
 * that can kill the app at any chosen write.
 *
 * Each run of the app (creation, then each `restart()`) has its own `wx` and
 * `uni` objects, as a new process has: read `emu.wx` after a restart, and
 * build the platform again from it.
 *
 * @example
 * ```ts
 * const emu = createWxEmulator()
 * const platform = createWxPlatform(emu.wx, { clock: emu.clock })
 * emu.faults.killAtWrite(3)   // the 3rd write from now kills the app
 * emu.restart()               // cold start: storage and files survive
 * const next = createWxPlatform(emu.wx, { clock: emu.clock }) // the new run's wx
 * ```
 */
export class WxEmulator {
  /** Chooses the write that fails or kills the app; `kill()` kills it now. */
  readonly faults = new FaultInjector()
  /** Real time plus an offset: `advance()` fires timeouts, the 5 s suspension, SDK backoffs. */
  readonly clock = new VirtualClock()
  /** The sync key-value storage behind `setStorageSync` & co. */
  readonly storage: EmulatedStorage
  /** In-flight counts and limits of the shared network stack. */
  readonly network: NetworkMonitor
  /** The emulated disk (quota use, temp files). */
  readonly files: FileSystemInspector
  private readonly net: EmulatedNetwork
  private readonly disk: EmulatedFileSystem
  private readonly callbacks: CallbackScheduler
  private readonly suspendAfterHideMs: number
  private suspendTimer: TimerHandle | undefined
  private readonly features: Required<BaseLibraryFeatures>
  private online: boolean
  private networkType: Exclude<NetworkType, 'none'>
  private networkListeners: Array<Listener<RuntimeNetworkStatus>> = []
  private showListeners: Array<Listener<unknown>> = []
  private hideListeners: Array<Listener<unknown>> = []
  private lastWebviewId = 1
  private errorListeners: Array<Listener<EmulatedAppError>> = []
  private routeListeners: Array<Listener<EmulatedAppRoute>> = []
  private visible = true
  private readonly withFileSystem: boolean
  private readonly uniTarget: UniTarget
  private launch: EmulatedLaunchOptions
  private run = new AppRun()
  private runtimes: { wx: EmulatedWx; uni: EmulatedWx }

  constructor(options: WxEmulatorOptions = {}) {
    this.storage = new EmulatedStorage(this.faults, options.storage)
    this.online = options.online ?? true
    this.networkType = options.networkType ?? 'wifi'
    this.features = { batchStorage: true, offNetworkStatusChange: true, getRandomValues: true, ...options.features }
    this.suspendAfterHideMs = options.suspendAfterHideMs ?? 5000
    this.faults.whenKilled(() => {
      this.clock.clearAll()
      this.suspendTimer = undefined
    })
    this.callbacks = new CallbackScheduler(this.faults)
    this.net = new EmulatedNetwork(this.faults, this.clock, this.callbacks, () => this.online, options.maxConcurrentRequests)
    this.net.setReachable(options.reachable ?? true)
    this.network = this.net
    this.disk = new EmulatedFileSystem(this.faults, this.clock, { quotaBytes: options.fileQuotaBytes })
    this.files = this.disk
    this.withFileSystem = options.fileSystem ?? true
    this.uniTarget = options.uniTarget ?? 'mp-weixin'
    this.launch = launchOf(options.launch)
    this.runtimes = this.buildRuntimes()
  }

  /**
   * The `wx` object of the current run, to hand to the SDK or to install as
   * `global.wx`. A `restart()` makes a new one; the previous run's object
   * then throws {@link AppKilledError} from every method, as a dead app's would.
   */
  get wx(): EmulatedWx {
    return this.runtimes.wx
  }

  /** `uni` of the current run over the same state, shaped for {@link WxEmulatorOptions.uniTarget}. */
  get uni(): EmulatedWx {
    return this.runtimes.uni
  }

  /** False after `setOnline(false)`. */
  get isOnline(): boolean {
    return this.online
  }

  /** False between `hide()` and `show()`. */
  get isVisible(): boolean {
    return this.visible
  }

  /** Whether calls can get through while connected (see {@link setReachable}). */
  get isReachable(): boolean {
    return this.net.reachable
  }

  /**
   * Goes offline (`networkType: 'none'`) or back online, firing
   * `onNetworkStatusChange`. Going offline fails calls in flight or queued
   * with `<api>:fail net::ERR_INTERNET_DISCONNECTED`: whatever the server
   * already received stays received.
   */
  setOnline(online: boolean): void {
    if (online === this.online) return
    this.online = online
    if (!online) this.net.disconnect()
    this.emitNetworkStatus()
  }

  /**
   * "Connected" is not "reachable": with `false` the phone still reports its
   * connection (no status event fires), but new calls fail at once with
   * `<api>:fail timeout`, as behind a captive portal or a dead uplink.
   */
  setReachable(reachable: boolean): void {
    this.net.setReachable(reachable)
  }

  /** Changes the connection type (online only), firing `onNetworkStatusChange`. */
  setNetworkType(type: Exclude<NetworkType, 'none'>): void {
    this.networkType = type
    if (this.online) this.emitNetworkStatus()
  }

  /**
   * Brings the app to the foreground, firing `onAppShow`; a pending
   * suspension is cancelled, a suspended network works again.
   */
  show(): void {
    this.faults.assertAlive()
    this.visible = true
    this.cancelSuspension()
    this.net.resume()
    for (const listener of [...this.showListeners]) listener({ scene: 1001 })
  }

  /**
   * Sends the app to the background, firing `onAppHide`. After
   * `suspendAfterHideMs` on the emulator clock (advance it, or wait) every
   * network call fails `<api>:fail interrupted`, and so do new ones until `show()`.
   */
  hide(): void {
    this.faults.assertAlive()
    this.visible = false
    if (this.suspendTimer === undefined && !this.net.suspended) {
      this.suspendTimer = this.clock.setTimeout(() => {
        this.suspendTimer = undefined
        this.net.suspend()
      }, this.suspendAfterHideMs)
    }
    for (const listener of [...this.hideListeners]) listener({})
  }

  /**
   * A cold start: storage and user files stay; temp files, listeners,
   * timers, network calls (silently) and suspension are gone; a killed app
   * is alive again, with new `wx` and `uni` objects (the old ones now throw).
   * Network reachability is the world's, so it stays. `launch` sets what
   * `getLaunchOptionsSync()` reports for the new run.
   */
  restart(launch?: LaunchSpec): void {
    this.run.end()
    this.run = new AppRun()
    if (launch) this.launch = launchOf(launch)
    this.runtimes = this.buildRuntimes()
    this.faults.revive()
    this.clock.clearAll()
    this.callbacks.endRun()
    this.net.reset()
    this.suspendTimer = undefined
    this.disk.clearTemp()
    this.networkListeners = []
    this.showListeners = []
    this.hideListeners = []
    this.errorListeners = []
    this.routeListeners = []
    this.visible = true
  }

  /**
   * An uncaught error in the app: fires `wx.onError` listeners with
   * `{ message, stack }`, as the runtime does for script errors.
   */
  reportError(error: Error | string): void {
    this.faults.assertAlive()
    const report = typeof error === 'string' ? { message: error, stack: '' } : { message: error.message, stack: error.stack ?? '' }
    for (const listener of [...this.errorListeners]) listener({ ...report })
  }

  /** A page navigation: fires `wx.onAppRoute` listeners. */
  route(path: string, openType: EmulatedAppRoute['openType'] = 'navigateTo', query: Record<string, string> = {}): void {
    this.faults.assertAlive()
    this.lastWebviewId += 1
    for (const listener of [...this.routeListeners]) listener({ path, query: { ...query }, openType, webviewId: this.lastWebviewId })
  }

  /**
   * A temp file as `wx.chooseMedia` would hand the app (not a write the
   * fault injector counts). Returns its `wxfile://tmp/...` path.
   */
  createTempFile(content: FileContent, extension = 'jpg'): string {
    this.faults.assertAlive()
    return this.disk.createTempFile(content, extension)
  }

  /** Drops every call and timer and removes the emulator's temp directory. Call it in `afterEach`. */
  dispose(): void {
    this.net.dropAll()
    this.clock.clearAll()
    this.callbacks.endRun()
    this.suspendTimer = undefined
    this.disk.dispose()
  }

  private cancelSuspension(): void {
    if (this.suspendTimer === undefined) return
    this.clock.clearTimeout(this.suspendTimer)
    this.suspendTimer = undefined
  }

  private currentStatus(): RuntimeNetworkStatus {
    return { isConnected: this.online, networkType: this.online ? this.networkType : 'none' }
  }

  private emitNetworkStatus(): void {
    if (this.faults.killed) return
    const status = this.currentStatus()
    for (const listener of [...this.networkListeners]) listener({ ...status })
  }

  /** This run's `wx`, and `uni` over it; every method bound to the run. */
  private buildRuntimes(): { wx: EmulatedWx; uni: EmulatedWx } {
    const wx = this.run.bind(this.buildWx(this.withFileSystem))
    return { wx, uni: createUniView(wx, this.uniTarget) }
  }

  private buildWx(withFileSystem: boolean): EmulatedWx {
    const storage = this.storage
    const faults = this.faults
    const run = this.run
    const wx: EmulatedWx = {
      setStorageSync: (key, data) => storage.set('setStorageSync', key, data),
      getStorageSync: (key) => storage.get(key),
      removeStorageSync: (key) => storage.remove('removeStorageSync', key),
      getStorageInfoSync: () => storage.info(),
      clearStorageSync: () => storage.clear('clearStorageSync'),
      clearStorage: (options = {}) => {
        try {
          storage.clear('clearStorage')
        } catch (error) {
          if (error instanceof AppKilledError) throw error
          const errMsg = `clearStorage:fail ${error instanceof Error ? error.message : String(error)}`
          this.callbacks.defer(() => options.fail?.({ errMsg }))
          return
        }
        this.callbacks.defer(() => options.success?.({ errMsg: 'clearStorage:ok' }))
      },
      getSystemInfoSync: () => {
        faults.assertAlive()
        return systemInfo()
      },
      getDeviceInfo: () => {
        faults.assertAlive()
        return deviceInfo()
      },
      getWindowInfo: () => {
        faults.assertAlive()
        return windowInfo()
      },
      getAppBaseInfo: () => {
        faults.assertAlive()
        return appBaseInfo()
      },
      getLaunchOptionsSync: () => {
        faults.assertAlive()
        return { ...this.launch, query: { ...this.launch.query }, referrerInfo: { ...this.launch.referrerInfo } }
      },
      canIUse: (schema) => canIUse(wx, schema),
      onError: (listener) => {
        faults.assertAlive()
        this.errorListeners.push(listener)
      },
      offError: (listener) => {
        this.errorListeners = listener ? this.errorListeners.filter((candidate) => candidate !== listener) : []
      },
      onAppRoute: (listener) => {
        faults.assertAlive()
        this.routeListeners.push(listener)
      },
      offAppRoute: (listener) => {
        this.routeListeners = listener ? this.routeListeners.filter((candidate) => candidate !== listener) : []
      },
      getNetworkType: (options) => {
        faults.assertAlive()
        const networkType = this.currentStatus().networkType
        this.callbacks.defer(() => options.success?.({ networkType }))
      },
      onNetworkStatusChange: (listener) => {
        faults.assertAlive()
        this.networkListeners.push(listener)
      },
      onAppShow: (listener) => {
        faults.assertAlive()
        this.showListeners.push(listener)
      },
      onAppHide: (listener) => {
        faults.assertAlive()
        this.hideListeners.push(listener)
      },
      request: createRequest(this.net),
      uploadFile: createUploadFile(this.net, this.disk),
      downloadFile: createDownloadFile(this.net, this.disk),
    }
    if (withFileSystem) {
      const manager = run.bind(createFileSystemManager(this.disk, faults, this.callbacks))
      wx.getFileSystemManager = () => {
        faults.assertAlive()
        return manager
      }
      wx.env = { USER_DATA_PATH }
      wx.compressImage = createCompressImage(this.disk, faults, this.callbacks)
    }
    if (this.features.batchStorage) {
      // Applied item by item: the SDK must not assume a batch is atomic.
      wx.batchSetStorageSync = (kvList) => {
        for (const { key, value } of kvList) storage.set('batchSetStorageSync', key, value)
      }
      wx.batchGetStorageSync = (keyList) => keyList.map((key) => storage.get(key))
    }
    if (this.features.offNetworkStatusChange) {
      wx.offNetworkStatusChange = (listener) => {
        this.networkListeners = this.networkListeners.filter((candidate) => candidate !== listener)
      }
    }
    if (this.features.getRandomValues) {
      wx.getRandomValues = (options) => {
        faults.assertAlive()
        const bytes = randomBytes(options.length)
        const randomValues = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
        this.callbacks.defer(() => options.success?.({ randomValues }))
      }
    }
    return wx
  }
}

function launchOf(spec: LaunchSpec = {}): EmulatedLaunchOptions {
  return launchOptions(spec.path, spec.query, spec.scene)
}

/** Creates a {@link WxEmulator}. */
export function createWxEmulator(options: WxEmulatorOptions = {}): WxEmulator {
  return new WxEmulator(options)
}
