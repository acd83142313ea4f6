import { utf8Length } from '../util/utf8'
import type { FaultInjector } from './fault-injector'

/** Storage limits; the defaults are WeChat's (1 MB a key, 10 MB in all). */
export interface StorageLimits {
  /** Largest value, in UTF-8 bytes of its JSON. Default 1 MiB. */
  maxItemBytes?: number
  /** All keys and values together, in UTF-8 bytes. Default 10 MiB. */
  maxTotalBytes?: number
  /** Prefix some base library versions put before errors, e.g. `'APP-SERVICE-SDK:'`. Default none. */
  errorPrefix?: string
}

const MIB = 1024 * 1024

/**
 * WeChat's sync storage, kept in memory as JSON text and counted in UTF-8
 * bytes the way a phone would. Survives `restart()`; every write goes
 * through the fault injector.
 */
export class EmulatedStorage {
  readonly maxItemBytes: number
  readonly maxTotalBytes: number
  private readonly errorPrefix: string
  private readonly items = new Map<string, string>()
  private totalBytes = 0
  /** Bytes handed to successful writes, for benchmarks. */
  bytesWritten = 0

  constructor(private readonly faults: FaultInjector, limits: StorageLimits = {}) {
    this.maxItemBytes = limits.maxItemBytes ?? MIB
    this.maxTotalBytes = limits.maxTotalBytes ?? 10 * MIB
    this.errorPrefix = limits.errorPrefix ?? ''
  }

  get usedBytes(): number {
    return this.totalBytes
  }

  get keyCount(): number {
    return this.items.size
  }

  set(api: string, key: string, value: unknown): void {
    this.faults.assertAlive()
    if (typeof key !== 'string' || key === '') throw this.error(api, 'parameter error: parameter.key should be String')
    const json = JSON.stringify(value)
    if (json === undefined) throw this.error(api, 'parameter error: parameter.data should be serialisable')
    const valueBytes = utf8Length(json)
    if (valueBytes > this.maxItemBytes) throw this.error(api, 'exceed storage item max length')
    const previous = this.items.get(key)
    const previousBytes = previous === undefined ? 0 : utf8Length(key) + utf8Length(previous)
    const nextTotal = this.totalBytes - previousBytes + utf8Length(key) + valueBytes
    if (nextTotal > this.maxTotalBytes) {
      throw this.error(api, `exceed storage max size ${Math.round(this.maxTotalBytes / MIB)}Mb`)
    }
    this.faults.beforeWrite('storage', api, key)
    this.items.set(key, json)
    this.totalBytes = nextTotal
    this.bytesWritten += utf8Length(key) + valueBytes
  }

  /** The stored value, or `''` for a missing key, as WeChat does. */
  get(key: string): unknown {
    this.faults.assertAlive()
    const json = this.items.get(key)
    return json === undefined ? '' : JSON.parse(json)
  }

  has(key: string): boolean {
    return this.items.has(key)
  }

  remove(api: string, key: string): void {
    this.faults.assertAlive()
    const previous = this.items.get(key)
    this.faults.beforeWrite('storage', api, key)
    if (previous === undefined) return
    this.items.delete(key)
    this.totalBytes -= utf8Length(key) + utf8Length(previous)
  }

  clear(api: string): void {
    this.faults.assertAlive()
    this.faults.beforeWrite('storage', api, '*')
    this.items.clear()
    this.totalBytes = 0
  }

  info(): { keys: string[]; currentSize: number; limitSize: number } {
    this.faults.assertAlive()
    return {
      keys: [...this.items.keys()],
      currentSize: Math.ceil(this.totalBytes / 1024),
      limitSize: Math.floor(this.maxTotalBytes / 1024),
    }
  }

  private error(api: string, reason: string): Error {
    return new Error(`${this.errorPrefix}${api}:fail ${reason}`)
  }
}
