/**
 * `miniprogram-offline/uni`: Vue 3 composables for uni-app pages. They follow
 * the page's `onShow` / `onHide` / `onUnload` (from `@dcloudio/uni-app`), so
 * call them inside `setup()`. The client itself comes from the main entry
 * (`createOffline()` finds `uni` on its own).
 *
 * @example
 * ```ts
 * import { useOfflineStatus, usePending } from 'miniprogram-offline/uni'
 * const status = useOfflineStatus(offline)   // Ref<SyncStatus>
 * const pending = usePending(offline)        // Ref<readonly PendingItem[]>
 * ```
 * @packageDocumentation
 */
export { useOfflineStatus } from './use-offline-status'
export { usePending } from './use-pending'
