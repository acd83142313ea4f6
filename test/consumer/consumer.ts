// Type-checked by `npm run check:consumer` after `npm run build`: a mini-program
// written in TypeScript with the official typings, importing the built package.
import { createOffline, createWxPlatform, OfflineError, type Platform, type RequestResult } from 'miniprogram-offline'
import { createWxEmulator } from 'miniprogram-offline/testing'
import type { useOfflineStatus } from 'miniprogram-offline/uni'

const platform: Platform = createWxPlatform(wx)
const emulated: Platform = createWxPlatform(createWxEmulator().wx)

export function describeError(error: unknown): string {
  return error instanceof OfflineError ? error.code : String(error)
}

export async function submitVisit(visit: { customerId: string }): Promise<RequestResult> {
  const offline = createOffline({ namespace: 'sales:rep-001', platform, headers: () => ({ Authorization: 'Bearer t' }) })
  return offline.request({ url: 'https://api.example.com/visits', method: 'POST', data: visit, lane: visit.customerId })
}

// uni-app pages use the composables with the same client.
export type StatusRef = ReturnType<typeof useOfflineStatus>

export const names: string[] = [platform.name, emulated.name]
