import type { MiniProgramRuntime } from '../../sdk/platform/runtime'

// Compile-time proof that the official typings fit the adapters' view of the
// runtime: if WeChat or DCloud change a signature, `npm run typecheck` fails.
type Assignable<T extends MiniProgramRuntime> = T
export type WxFits = Assignable<WechatMiniprogram.Wx>
export type UniFits = Assignable<UniNamespace.Uni>

test('the official wx and uni typings fit MiniProgramRuntime (checked by tsc)', () => {
  const wxFits: WxFits | undefined = undefined
  expect(wxFits).toBeUndefined()
})
