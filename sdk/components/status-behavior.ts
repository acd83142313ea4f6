import type { SyncStatus } from '../index'
import { watchProvidedOffline } from './offline-provider'

/** The data {@link offlineStatusBehavior} adds to a page or component. */
export interface OfflineStatusData {
  /** The provided client's status, live; `null` until a client is provided. */
  sync: SyncStatus | null
}

interface Binding {
  stopWatching?: () => void
  stopStatus?: () => void
}

const bindings = new WeakMap<object, Binding>()

/** Follows the provided client's status into `data.sync` until `unbind`. */
function bind(owner: WechatMiniprogram.Component.TrivialInstance): void {
  const binding: Binding = {}
  bindings.set(owner, binding)
  binding.stopWatching = watchProvidedOffline((client) => {
    binding.stopStatus?.()
    binding.stopStatus = undefined
    if (!client) return owner.setData({ sync: null })
    binding.stopStatus = client.status.subscribe((status) => owner.setData({ sync: status }))
  })
}

function unbind(owner: object): void {
  const binding = bindings.get(owner)
  binding?.stopStatus?.()
  binding?.stopWatching?.()
  bindings.delete(owner)
}

/**
 * A `Behavior` that keeps `data.sync` equal to the provided client's
 * {@link SyncStatus} (see `provideOffline`), and unsubscribes when the page
 * or component goes away, so no listener outlives it.
 *
 * @example
 * ```js
 * const { offlineStatusBehavior } = require('miniprogram-offline/components/index')
 * Component({ behaviors: [offlineStatusBehavior] })   // WXML: {{sync.pending}} 条待发送
 * ```
 */
export const offlineStatusBehavior = Behavior({
  data: { sync: null } as OfflineStatusData,
  lifetimes: {
    attached(this: WechatMiniprogram.Component.TrivialInstance) {
      bind(this)
    },
    detached(this: WechatMiniprogram.Component.TrivialInstance) {
      unbind(this)
    },
  },
})
