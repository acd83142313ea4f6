import type { BrowserOnline } from './browser-online'
import type { NetworkStatus, PlatformNetwork } from './platform'

const OFFLINE: NetworkStatus = { isConnected: false, networkType: 'none' }

/** The browser has the last word on connectivity; the runtime keeps the type (uni-h5 reads it from `navigator.connection`). */
function merge(status: NetworkStatus, online: boolean): NetworkStatus {
  return online ? status : OFFLINE
}

/**
 * The runtime's network state corrected by the browser's: offline whenever
 * `navigator.onLine` is false, and a change reported on every `online` /
 * `offline` event, so a reconnect is seen at once. Where the runtime and
 * the browser disagree the stricter wins: connected only when both say so
 * (which also keeps an emulated runtime in control under jsdom, whose
 * `navigator.onLine` is always true).
 */
export function withBrowserOnline(network: PlatformNetwork, browser: BrowserOnline): PlatformNetwork {
  return {
    getStatus: async () => merge(await network.getStatus(), browser.isOnline()),
    onChange: (listener) => {
      // Browser events carry no type: ask the runtime, and drop answers a newer event overtook.
      let latest = 0
      const stopRuntime = network.onChange((status) => {
        latest += 1
        listener(merge(status, browser.isOnline()))
      })
      const stopBrowser = browser.onChange(() => {
        const mine = ++latest
        const online = browser.isOnline()
        const deliver = (status: NetworkStatus): void => {
          if (mine === latest) listener(merge(status, online))
        }
        network.getStatus().then(deliver, () => deliver({ isConnected: true, networkType: 'unknown' }))
      })
      return () => {
        stopRuntime()
        stopBrowser()
      }
    },
  }
}
