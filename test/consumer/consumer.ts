// Type-checked by `npm run check:consumer` after `npm run build`: a mini-program
// written in TypeScript with the official typings, importing the built package.
import { createWxPlatform, OfflineError, type Platform } from 'miniprogram-offline'
import { createWxEmulator } from 'miniprogram-offline/testing'

const platform: Platform = createWxPlatform(wx)
const emulated: Platform = createWxPlatform(createWxEmulator().wx)

export function describeError(error: unknown): string {
  return error instanceof OfflineError ? error.code : String(error)
}

export const names: string[] = [platform.name, emulated.name]
