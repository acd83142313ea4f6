import type { WxEmulator } from 'miniprogram-offline/testing'

/**
 * Every key and value in the emulated phone's storage as one text, the way
 * anyone with the phone could read it: for asserting what is (or is not)
 * written at rest, whatever the SDK's own key layout.
 */
export function rawStorageText(emu: WxEmulator): string {
  return emu.storage
    .info()
    .keys.map((key) => `${key}=${JSON.stringify(emu.storage.get(key))}`)
    .join('\n')
}

/** Wipes the phone's storage as the host app's `wx.clearStorageSync()` does. */
export function wipeStorage(emu: WxEmulator): void {
  emu.storage.clear('clearStorageSync')
}
