/**
 * Shared set-up for the store tests: a real emulator, the real storage
 * adapter, and checks that look at storage directly (not through the
 * store), measuring with Node's own UTF-8 encoder.
 */
import { createRuntimeStorage } from '../../sdk/platform/runtime-storage'
import type { PlatformStorage } from '../../sdk/platform/platform'
import { DurableStore, type DurableStoreOptions } from '../../sdk/store'
import { createWxEmulator, type StorageLimits, type WxEmulator } from '../../sdk/testing'

export const NAMESPACE = 'test'
export const PREFIX = `mpo/${NAMESPACE}/`
export const META_KEY = `${PREFIX}meta`

export interface Harness {
  emu: WxEmulator
  storage: PlatformStorage
  open(options?: Partial<DurableStoreOptions>): DurableStore
  /** A cold start: restart the emulator and build a new storage adapter, as a relaunched app would. */
  restart(): void
}

export function createHarness(limits?: StorageLimits, defaults: Partial<DurableStoreOptions> = {}): Harness {
  const emu = createWxEmulator({ storage: limits })
  const harness: Harness = {
    emu,
    storage: createRuntimeStorage(emu.wx),
    open: (options = {}) => DurableStore.open(harness.storage, { namespace: NAMESPACE, ...defaults, ...options }),
    restart: () => {
      emu.restart()
      harness.storage = createRuntimeStorage(emu.wx)
    },
  }
  return harness
}

/** UTF-8 bytes a key occupies, as WeChat counts: name plus JSON value. */
export function storedBytes(emu: WxEmulator, key: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(JSON.stringify(emu.wx.getStorageSync(key)), 'utf8')
}

/** Every storage key under `prefix`, sorted. */
export function keysUnder(emu: WxEmulator, prefix = PREFIX): string[] {
  return emu.wx
    .getStorageInfoSync()
    .keys.filter((key) => key.startsWith(prefix))
    .sort()
}

/** Sum of `storedBytes` under the prefix, foreign keys excepted. */
export function bytesUnder(emu: WxEmulator, except: readonly string[] = []): number {
  return keysUnder(emu)
    .filter((key) => !except.includes(key))
    .reduce((sum, key) => sum + storedBytes(emu, key), 0)
}

/** A snapshot of every key and its JSON under the prefix, to prove nothing changed. */
export function snapshot(emu: WxEmulator, prefix = PREFIX): Record<string, string> {
  const result: Record<string, string> = {}
  for (const key of keysUnder(emu, prefix)) result[key] = JSON.stringify(emu.wx.getStorageSync(key))
  return result
}

const RECORD_KEY = /^(h|c)\.([0-9a-z]+)\.(\d+)\.([0-9a-z]+)\.([\s\S]+)$/

/**
 * Asserts storage under the prefix is exactly: the meta record, and for
 * each of the store's keys one head plus chunks 0..n-1 of that head's
 * generation; every name's size field equals what the key occupies; and
 * `usage().bytes` is the sum. `foreign` keys are allowed and not counted.
 */
export function expectTidy(store: DurableStore, emu: WxEmulator, foreign: readonly string[] = []): void {
  const keys = keysUnder(emu).filter((key) => !foreign.includes(key))
  expect(keys).toContain(META_KEY)
  const heads = new Map<string, { gen: string; count: number }>()
  const chunks: Array<{ gen: string; index: number; userKey: string }> = []
  for (const key of keys) {
    if (key === META_KEY) continue
    const match = RECORD_KEY.exec(key.slice(PREFIX.length))
    if (!match) throw new Error(`unexpected key ${key}`)
    const [, kind, gen, number, bytes36, userKey] = match
    expect({ key, bytes: parseInt(bytes36, 36) }).toEqual({ key, bytes: storedBytes(emu, key) })
    if (kind === 'h') {
      if (heads.has(userKey)) throw new Error(`two heads for ${userKey}`)
      heads.set(userKey, { gen, count: Number(number) })
    } else chunks.push({ gen, index: Number(number), userKey })
  }
  expect([...heads.keys()].sort()).toEqual(store.keys())
  const expectedChunks = [...heads].flatMap(([userKey, head]) => Array.from({ length: head.count }, (_, index) => `${userKey}#${head.gen}#${index}`))
  expect(chunks.map((chunk) => `${chunk.userKey}#${chunk.gen}#${chunk.index}`).sort()).toEqual(expectedChunks.sort())
  expect(store.usage().bytes).toBe(bytesUnder(emu, foreign))
}

/** What a JSON round trip makes of a value (-0 becomes 0, undefined properties vanish). */
export function viaJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** A string of about `bytes` UTF-8 bytes mixing ASCII, Chinese, emoji and characters JSON escapes. */
export function mixedText(bytes: number, seed = 0): string {
  const alphabet = ['a', '中', '文', '😀', '👍🏽', '"', '\\', '\n', '\u0001', 'é', ' ', '𠮷']
  let text = ''
  let size = 0
  let state = seed + 1
  while (size < bytes) {
    state = (state * 1103515245 + 12345) % 2147483648
    const piece = alphabet[state % alphabet.length]
    text += piece
    size += Buffer.byteLength(piece, 'utf8')
  }
  return text
}

/** Runs `action`, which the emulator is expected to interrupt; returns what it threw, if anything. */
export function attempt(action: () => void): unknown {
  try {
    action()
    return undefined
  } catch (error) {
    return error
  }
}
