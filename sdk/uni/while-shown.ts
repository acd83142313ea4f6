import { onHide, onShow, onUnload } from '@dcloudio/uni-app'
import { getCurrentInstance, getCurrentScope, onScopeDispose } from 'vue'
import { InvalidArgumentError, type Unsubscribe } from '../index'

/**
 * Keeps a subscription open only while the page is on screen.
 *
 * `start` runs now (the page's first `onShow` may already have fired when a
 * component's setup runs, and on the first show it would come too late for
 * the first render), then again on every `onShow` after an `onHide`; its
 * returned function runs on `onHide`, `onUnload` and when the component's
 * scope is disposed (unmount). A hidden page therefore costs nothing: no
 * listener, no storage read, no re-render behind the user's back.
 *
 * Outside a component but inside an `effectScope` (a Pinia store, say) there
 * is no page to follow: the subscription lives as long as the scope.
 *
 * @param caller The composable's name, for the error when misused.
 * @param start Opens the subscription and returns how to close it.
 * @throws {InvalidArgumentError} when called outside `setup()` and outside an `effectScope`.
 * @example
 * ```ts
 * whileShown('useOfflineStatus', () => offline.status.subscribe((s) => (status.value = s)))
 * ```
 */
export function whileShown(caller: string, start: () => Unsubscribe): void {
  const instance = getCurrentInstance()
  if (!instance && !getCurrentScope()) {
    // Vue's own hook registration would only warn (or crash on a uni hook
    // name) and the subscription would then leak for the app's lifetime.
    throw new InvalidArgumentError(`${caller}() must be called inside setup() or an effectScope`)
  }
  let stop: Unsubscribe | undefined
  let disposed = false
  const resume = (): void => {
    if (!disposed && !stop) stop = start()
  }
  const pause = (): void => {
    stop?.()
    stop = undefined
  }
  const dispose = (): void => {
    disposed = true
    pause()
  }
  resume()
  if (instance) {
    // uni-app's page hooks: registered on this instance, called by the uni
    // runtime on every target (H5 and App too, on page navigation).
    onShow(resume)
    onHide(pause)
    onUnload(dispose)
  }
  onScopeDispose(dispose)
}
