import { shallowReadonly, shallowRef, type Ref } from 'vue'
import type { OfflineClient, SyncStatus } from '../index'
import { whileShown } from './while-shown'

/**
 * The live sync status of an offline client, as a read-only Vue ref:
 * `online` (`null` until known), `networkType`, `pending`, `inFlight`, `deadLetters`, `syncing`,
 * `lastSyncAt`, `nextRetryAt`.
 *
 * Call it in `setup()` (or `<script setup>`) of a uni-app page or component.
 * It follows the page: it listens while the page is shown, stops on
 * `onHide` / `onUnload` / unmount, and reads the status afresh on `onShow`,
 * so a page the user comes back to is current at once.
 *
 * @param offline The client from `createOffline()`.
 * @returns A read-only ref; each change replaces the whole object.
 * @throws {InvalidArgumentError} when called outside `setup()` and outside an `effectScope`.
 * @example
 * ```vue
 * <script setup lang="ts">
 * import { useOfflineStatus } from 'miniprogram-offline/uni'
 * import { offline } from '@/offline'
 * const status = useOfflineStatus(offline)
 * </script>
 * <template>
 *   <view v-if="status.online === false" class="bar">离线中，{{ status.pending }} 条待同步</view>
 * </template>
 * ```
 */
export function useOfflineStatus(offline: Pick<OfflineClient, 'status'>): Readonly<Ref<SyncStatus>> {
  // Shallow: every update is a new object, so deep reactivity would only cost.
  const status = shallowRef(offline.status.get())
  // `subscribe` calls back at once with the current status: that is the re-read on show.
  whileShown('useOfflineStatus', () => offline.status.subscribe((next) => (status.value = next)))
  return shallowReadonly(status)
}
