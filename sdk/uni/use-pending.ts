import { shallowReadonly, shallowRef, type Ref } from 'vue'
import type { OfflineClient, PendingItem, SyncStatus, Unsubscribe } from '../index'
import { whileShown } from './while-shown'

/** Status fields whose change means the list of pending items changed. */
const LIST_FIELDS: ReadonlyArray<keyof SyncStatus> = ['pending', 'deadLetters', 'inFlight', 'syncing', 'nextRetryAt']

/**
 * The entries waiting or dead-lettered (`offline.pending()`), oldest first,
 * as a read-only Vue ref for a "待同步" list.
 *
 * `pending()` reads storage, so the list is re-read only when it can have
 * changed (counts, sending, retry times, a step of a task done, an entry
 * superseded), at most once per tick, and only while the page is shown: it
 * stops on `onHide` / `onUnload` / unmount and re-reads on `onShow`.
 *
 * Retry and discard through the client itself; the list follows.
 *
 * @param offline The client from `createOffline()`.
 * @returns A read-only ref of the items; each change replaces the array.
 * @throws {InvalidArgumentError} when called outside `setup()` and outside an `effectScope`.
 * @example
 * ```vue
 * <script setup lang="ts">
 * import { usePending } from 'miniprogram-offline/uni'
 * import { offline } from '@/offline'
 * const pending = usePending(offline)
 * </script>
 * <template>
 *   <view v-for="item in pending" :key="item.id">
 *     {{ item.metadata?.title ?? item.url }}
 *     <button v-if="item.state === 'deadLetter'" @click="offline.retry(item.id)">重试</button>
 *     <button :disabled="item.sending" @click="offline.discard(item.id)">丢弃</button>
 *   </view>
 * </template>
 * ```
 */
export function usePending(offline: Pick<OfflineClient, 'status' | 'pending' | 'on'>): Readonly<Ref<readonly PendingItem[]>> {
  const items = shallowRef<readonly PendingItem[]>([])
  whileShown('usePending', () => watchPending(offline, (next) => (items.value = next)))
  return shallowReadonly(items)
}

/** Reads the list now, then again (batched per tick) whenever it may have changed. */
function watchPending(offline: Pick<OfflineClient, 'status' | 'pending' | 'on'>, publish: (items: PendingItem[]) => void): Unsubscribe {
  let open = true
  let scheduled = false
  const reread = (): void => {
    if (scheduled) return
    scheduled = true
    // One replay step changes several counts in a row: read storage once for all of them.
    void Promise.resolve().then(() => {
      scheduled = false
      if (open) publish(offline.pending())
    })
  }
  publish(offline.pending())
  let last = offline.status.get()
  const stops = [
    offline.status.subscribe((status) => {
      if (LIST_FIELDS.some((field) => status[field] !== last[field])) reread()
      last = status
    }),
    // Neither changes a count: a task's step finished, or a newer entry replaced an older one.
    offline.on('progress', reread),
    offline.on('superseded', reread),
  ]
  return () => {
    open = false
    stops.forEach((stop) => stop())
  }
}
