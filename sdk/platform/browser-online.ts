import type { Unsubscribe } from './platform'

/** The parts of a browser's `window` and `navigator` that say whether it is online. */
interface BrowserWindow {
  addEventListener(type: 'online' | 'offline', listener: () => void): void
  removeEventListener(type: 'online' | 'offline', listener: () => void): void
}
interface BrowserNavigator {
  readonly onLine: boolean
}

declare const window: BrowserWindow | undefined
declare const navigator: BrowserNavigator | undefined

/** A browser's own view of connectivity: `navigator.onLine` and the window's `online` / `offline` events. */
export interface BrowserOnline {
  isOnline(): boolean
  /** Calls back on every `online` / `offline` event; the returned function unsubscribes. */
  onChange(listener: () => void): Unsubscribe
}

/**
 * The browser's connectivity when this code runs in one (uni-app H5), else
 * `undefined` (WeChat, App, Node). uni-h5's own network API follows only
 * `navigator.connection.effectiveType`, which stays `'4g'` when the browser
 * goes offline (issue 14), so the adapter needs this second opinion.
 * One listener pair on the window fans out to every subscriber.
 */
export function browserOnline(): BrowserOnline | undefined {
  if (typeof window === 'undefined' || !window || typeof window.addEventListener !== 'function') return undefined
  if (typeof navigator === 'undefined' || !navigator || typeof navigator.onLine !== 'boolean') return undefined
  const target = window
  const source = navigator
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const listener of [...listeners]) listener()
  }
  return {
    isOnline: () => source.onLine,
    onChange: (listener) => {
      if (listeners.size === 0) {
        target.addEventListener('online', notify)
        target.addEventListener('offline', notify)
      }
      listeners.add(listener)
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return
        target.removeEventListener('online', notify)
        target.removeEventListener('offline', notify)
      }
    },
  }
}
