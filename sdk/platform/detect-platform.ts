import { UnsupportedError } from '../errors'
import type { Platform } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createUniPlatform } from './uni-platform'
import { createWxPlatform } from './wx-platform'

declare const wx: MiniProgramRuntime | undefined
declare const uni: MiniProgramRuntime | undefined

/**
 * The platform of the runtime this code runs in: `wx` when there is one,
 * else `uni` (uni-app H5 and App have no `wx`).
 */
export function detectPlatform(): Platform {
  if (typeof wx !== 'undefined' && wx) return createWxPlatform(wx)
  if (typeof uni !== 'undefined' && uni) return createUniPlatform(uni)
  throw new UnsupportedError('a mini-program runtime (no global wx or uni)', 'this environment')
}
