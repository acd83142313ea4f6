import type { MiniProgramRuntime } from '../platform/runtime'

/** The uni-app build target the `uni` view imitates. */
export type UniTarget = 'mp-weixin' | 'h5' | 'app'

/**
 * Members uni-app has only on mini-program targets: the file system, and
 * the wx-only APIs uni passes through to `wx` on mp-weixin. On H5 and the
 * App engine they are missing, and so are `onAppShow` / `onAppHide` and
 * WeChat's `onAppRoute`.
 */
const MINI_PROGRAM_ONLY = [
  'getFileSystemManager',
  'env',
  'compressImage',
  'onAppShow',
  'onAppHide',
  'batchSetStorageSync',
  'batchGetStorageSync',
  'getRandomValues',
  'onAppRoute',
  'offAppRoute',
] as const

/**
 * A `uni` object over the same emulated state as `wx`. On mp-weixin uni-app
 * mirrors wx, so it is a copy of every member; other targets lose what they
 * lack.
 */
export function createUniView<Runtime extends MiniProgramRuntime>(wx: Runtime, target: UniTarget): Runtime {
  const uni: Runtime = { ...wx }
  if (target === 'mp-weixin') return uni
  const members: Partial<Record<(typeof MINI_PROGRAM_ONLY)[number], unknown>> = uni
  for (const member of MINI_PROGRAM_ONLY) delete members[member]
  return uni
}
