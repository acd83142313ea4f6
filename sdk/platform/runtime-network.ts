import { browserOnline } from './browser-online'
import { withBrowserOnline } from './browser-network'
import type { NetworkStatus, NetworkType, PlatformNetwork } from './platform'
import type { MiniProgramRuntime } from './runtime'

const NETWORK_TYPES: readonly NetworkType[] = ['wifi', '2g', '3g', '4g', '5g', 'unknown', 'none']

function toNetworkType(value: string): NetworkType {
  return (NETWORK_TYPES as readonly string[]).includes(value) ? (value as NetworkType) : 'unknown'
}

function toStatus(raw: { isConnected?: boolean; networkType: string }): NetworkStatus {
  const networkType = toNetworkType(raw.networkType)
  return { isConnected: raw.isConnected ?? networkType !== 'none', networkType }
}

/**
 * Network state over `wx`/`uni`; in a browser (uni-app H5) corrected by
 * `navigator.onLine` and the window's `online` / `offline` events.
 */
export function createRuntimeNetwork(runtime: MiniProgramRuntime): PlatformNetwork {
  const native = createNativeNetwork(runtime)
  const browser = browserOnline()
  return browser ? withBrowserOnline(native, browser) : native
}

/**
 * Network state as the runtime reports it. One native listener fans out to every
 * subscriber, so unsubscribing works even on base libraries without
 * `offNetworkStatusChange` (before 2.9.3): there the native listener simply
 * stays for the app's lifetime.
 */
function createNativeNetwork(runtime: MiniProgramRuntime): PlatformNetwork {
  const listeners = new Set<(status: NetworkStatus) => void>()
  let nativeListener: ((raw: unknown) => void) | undefined

  const attach = (): void => {
    if (nativeListener) return
    nativeListener = (raw: unknown) => {
      const status = toStatus(raw as { isConnected?: boolean; networkType: string })
      for (const listener of [...listeners]) listener(status)
    }
    runtime.onNetworkStatusChange(nativeListener)
  }

  const detachIfIdle = (): void => {
    if (listeners.size > 0 || !nativeListener || !runtime.offNetworkStatusChange) return
    runtime.offNetworkStatusChange(nativeListener)
    nativeListener = undefined
  }

  return {
    getStatus: () =>
      new Promise((resolve, reject) => {
        runtime.getNetworkType({
          success: (result) => resolve(toStatus(result)),
          fail: (error) => reject(new Error(error.errMsg)),
        })
      }),
    onChange: (listener) => {
      listeners.add(listener)
      attach()
      return () => {
        listeners.delete(listener)
        detachIfIdle()
      }
    },
  }
}
