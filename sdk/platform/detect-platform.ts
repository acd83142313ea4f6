import { UnsupportedError } from '../errors'
import type { Platform } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createUniPlatform } from './uni-platform'
import { createWxPlatform } from './wx-platform'

declare const wx: MiniProgramRuntime | undefined
declare const uni: MiniProgramRuntime | undefined

/**
 * One platform per runtime object: the SDK recognises "the same storage" by
 * identity, which is how it refuses two outboxes over one namespace.
 */
const detected = new WeakMap<MiniProgramRuntime, Platform>()

function platformOf(runtime: MiniProgramRuntime, create: (runtime: MiniProgramRuntime) => Platform): Platform {
  let platform = detected.get(runtime)
  if (!platform) {
    platform = create(runtime)
    detected.set(runtime, platform)
  }
  return platform
}

/**
 * The platform of the runtime this code runs in: `wx` when there is one,
 * else `uni` (uni-app H5 and App have no `wx`). The same object every time.
 */
export function detectPlatform(): Platform {
  if (typeof wx !== 'undefined' && wx) return platformOf(wx, createWxPlatform)
  if (typeof uni !== 'undefined' && uni) return platformOf(uni, createUniPlatform)
  throw new UnsupportedError('a mini-program runtime (no global wx or uni)', 'this environment')
}
