import { UnsupportedError } from '../errors'
import type { PlatformLifecycle, Unsubscribe } from './platform'
import type { MiniProgramRuntime } from './runtime'

type NativeSubscribe = (listener: (options: unknown) => void) => void

/** One native listener per event, fanned out, so subscribers can leave without `offAppShow`. */
function fanOut(subscribe: NativeSubscribe): (listener: () => void) => Unsubscribe {
  const listeners = new Set<() => void>()
  let attached = false
  return (listener) => {
    if (!attached) {
      subscribe(() => {
        for (const each of [...listeners]) each()
      })
      attached = true
    }
    listeners.add(listener)
    return () => listeners.delete(listener)
  }
}

/**
 * App show/hide over `wx.onAppShow` / `wx.onAppHide`. Where the runtime has
 * neither (uni-app H5 and App), subscribing throws `UnsupportedError`; the
 * caller decides whether that matters.
 */
export function createRuntimeLifecycle(runtime: MiniProgramRuntime, runtimeName: string): PlatformLifecycle {
  const unsupported = (): Unsubscribe => {
    throw new UnsupportedError('appLifecycle', runtimeName)
  }
  if (!runtime.onAppShow || !runtime.onAppHide) return { onShow: unsupported, onHide: unsupported }
  return {
    onShow: fanOut(runtime.onAppShow.bind(runtime)),
    onHide: fanOut(runtime.onAppHide.bind(runtime)),
  }
}
