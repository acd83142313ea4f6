// Checked by `npm run typecheck`, not run by jest: the official typings of
// `wx` and `uni` must fit the adapters' view of a runtime. If WeChat or
// DCloud change a signature the SDK relies on, the type check fails here.
import type { MiniProgramRuntime } from '../../sdk/platform/runtime'

type Assignable<T extends MiniProgramRuntime> = T

export type WxFitsRuntime = Assignable<WechatMiniprogram.Wx>
export type UniFitsRuntime = Assignable<UniNamespace.Uni>
