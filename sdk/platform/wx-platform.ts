import type { Platform } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createRuntimePlatform, type RuntimePlatformOptions } from './runtime-platform'

/**
 * The {@link Platform} for a WeChat mini-program.
 *
 * @example
 * ```ts
 * const platform = createWxPlatform(wx)
 * // in tests, with the emulator's movable clock:
 * const emu = createWxEmulator()
 * const testPlatform = createWxPlatform(emu.wx, { clock: emu.clock })
 * ```
 */
export function createWxPlatform(wx: MiniProgramRuntime, options: RuntimePlatformOptions = {}): Platform {
  return createRuntimePlatform(wx, 'wx', options)
}
