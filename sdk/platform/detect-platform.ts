import { UnsupportedError } from '../errors'
import { globalUni } from './global-uni'
import { onePerObject } from './one-per-object'
import type { Platform } from './platform'
import type { MiniProgramRuntime } from './runtime'
import { createUniPlatform } from './uni-platform'
import { createWxPlatform } from './wx-platform'

declare const wx: MiniProgramRuntime | undefined

/** One platform per runtime object, the same one at every call. */
const wxPlatformOf = onePerObject((runtime: MiniProgramRuntime) => createWxPlatform(runtime))
const uniPlatformOf = onePerObject((_global: MiniProgramRuntime) => createUniPlatform())

/**
 * A real `wx`, not the empty `window.wx = {}` that uni-app's tree-shaken H5
 * build leaves behind. Read through a parameter, so the build does not
 * rewrite the check into one of uni-h5's own functions.
 */
function isRuntime(candidate: MiniProgramRuntime | undefined): candidate is MiniProgramRuntime {
  return Boolean(candidate) && typeof candidate!.getStorageSync === 'function'
}

/**
 * The platform of the runtime this code runs in: `wx` when there is a real
 * one (WeChat, and uni-app's mp-weixin), else `uni` (uni-app H5 and App),
 * reached through statically named APIs so uni-app's tree-shaking keeps
 * them. The same object every time.
 */
export function detectPlatform(): Platform {
  const wxRuntime = typeof wx !== 'undefined' ? wx : undefined
  if (isRuntime(wxRuntime)) return wxPlatformOf(wxRuntime)
  const uniRuntime = globalUni()
  if (uniRuntime) return uniPlatformOf(uniRuntime)
  throw new UnsupportedError('a mini-program runtime (no global wx or uni)', 'this environment')
}
