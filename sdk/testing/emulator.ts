import { randomBytes } from 'crypto'
import type { NetworkType } from '../platform/platform'
import type { MiniProgramRuntime, RuntimeNetworkStatus } from '../platform/runtime'
import { FaultInjector } from './fault-injector'
import { EmulatedStorage, type StorageLimits } from './emulated-storage'
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

export interface WxEmulatorOptions {
  /** Storage limits; WeChat's by default (1 MB a key, 10 MB in all). */
  storage?: StorageLimits
  /** Starts online (default) or offline. */
  online?: boolean
  /** Default `'wifi'`. */
  networkType?: Exclude<NetworkType, 'none'>
  features?: BaseLibraryFeatures
}

type Listener<T> = (value: T) => void

/**
 * An emulated WeChat for tests in Node: storage with WeChat's limits and
 * errors, network state, app lifecycle, a movable clock, and fault injection
 * that can kill the app at any chosen write.
 *
 * @example
 * ```ts
 * const emu = createWxEmulator()
 * const platform = createWxPlatform(emu.wx, { clock: emu.clock })
 * emu.faults.killAtWrite(3)   // the 3rd write from now kills the app
 * emu.restart()               // cold start: storage and files survive
 * ```
 */
export class WxEmulator {
  readonly faults = new FaultInjector()
  readonly clock = new VirtualClock()
  readonly storage: EmulatedStorage
  /** The `wx` object to hand to the SDK or to install as `global.wx`. */
  readonly wx: MiniProgramRuntime
  private readonly features: Required<BaseLibraryFeatures>
  private online: boolean
  private networkType: Exclude<NetworkType, 'none'>
  private networkListeners: Array<Listener<RuntimeNetworkStatus>> = []
  private showListeners: Array<Listener<unknown>> = []
  private hideListeners: Array<Listener<unknown>> = []
  private visible = true

  constructor(options: WxEmulatorOptions = {}) {
    this.storage = new EmulatedStorage(this.faults, options.storage)
    this.online = options.online ?? true
    this.networkType = options.networkType ?? 'wifi'
    this.features = { batchStorage: true, offNetworkStatusChange: true, getRandomValues: true, ...options.features }
    this.faults.whenKilled(() => this.clock.clearAll())
    this.wx = this.buildWx()
  }

  get isOnline(): boolean {
    return this.online
  }

  get isVisible(): boolean {
    return this.visible
  }

  /** Goes offline (`networkType: 'none'`) or back online, firing `onNetworkStatusChange`. */
  setOnline(online: boolean): void {
    if (online === this.online) return
    this.online = online
    this.emitNetworkStatus()
  }

  /** Changes the connection type (online only), firing `onNetworkStatusChange`. */
  setNetworkType(type: Exclude<NetworkType, 'none'>): void {
    this.networkType = type
    if (this.online) this.emitNetworkStatus()
  }

  /** Brings the app to the foreground, firing `onAppShow`. */
  show(): void {
    this.faults.assertAlive()
    this.visible = true
    for (const listener of [...this.showListeners]) listener({ scene: 1001 })
  }

  /** Sends the app to the background, firing `onAppHide`. */
  hide(): void {
    this.faults.assertAlive()
    this.visible = false
    for (const listener of [...this.hideListeners]) listener({})
  }

  /**
   * A cold start: storage and user files stay; temp files, listeners and
   * timers are gone; a killed app is alive again.
   */
  restart(): void {
    this.faults.revive()
    this.clock.clearAll()
    this.networkListeners = []
    this.showListeners = []
    this.hideListeners = []
    this.visible = true
  }

  private currentStatus(): RuntimeNetworkStatus {
    return { isConnected: this.online, networkType: this.online ? this.networkType : 'none' }
  }

  private emitNetworkStatus(): void {
    if (this.faults.killed) return
    const status = this.currentStatus()
    for (const listener of [...this.networkListeners]) listener({ ...status })
  }

  private buildWx(): MiniProgramRuntime {
    const storage = this.storage
    const faults = this.faults
    const wx: MiniProgramRuntime = {
      setStorageSync: (key, data) => storage.set('setStorageSync', key, data),
      getStorageSync: (key) => storage.get(key),
      removeStorageSync: (key) => storage.remove('removeStorageSync', key),
      getStorageInfoSync: () => storage.info(),
      getNetworkType: (options) => {
        faults.assertAlive()
        const networkType = this.currentStatus().networkType
        this.clock.setTimeout(() => options.success?.({ networkType }), 0)
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
      request: () => {
        throw new Error('emulator: request is not built yet')
      },
      uploadFile: () => {
        throw new Error('emulator: uploadFile is not built yet')
      },
      downloadFile: () => {
        throw new Error('emulator: downloadFile is not built yet')
      },
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
        this.clock.setTimeout(() => options.success?.({ randomValues }), 0)
      }
    }
    return wx
  }
}

/** Creates a {@link WxEmulator}. */
export function createWxEmulator(options: WxEmulatorOptions = {}): WxEmulator {
  return new WxEmulator(options)
}
