import * as vm from 'vm'
import { AppKilledError } from 'miniprogram-offline/testing'

/** What {@link watchUnhandledRejections} returns. */
export interface RejectionLog {
  /** Unhandled rejections seen since the watch began (emulated kills left out). */
  readonly reasons: readonly unknown[]
  /** Stops watching and gives Jest its listeners back. */
  stop(): void
}

type Listener = (...args: unknown[]) => void

/**
 * Records unhandled promise rejections. Jest hands test files a sandboxed
 * `process` whose `unhandledRejection` listeners never fire, so this listens
 * on the worker's real one (found through `vm`) and stands in for Jest's own
 * listeners until `stop()`. Work a killed app left behind rejects with
 * `AppKilledError`; a phone would run none of it, so those are not counted.
 */
export function watchUnhandledRejections(): RejectionLog {
  const real = vm.runInThisContext('process') as NodeJS.Process
  const saved = real.rawListeners('unhandledRejection') as Listener[]
  const reasons: unknown[] = []
  const listener = (reason: unknown): void => {
    const killed = reason instanceof AppKilledError || (reason instanceof Error && reason.message.includes('the app was killed'))
    if (!killed) reasons.push(reason)
  }
  real.removeAllListeners('unhandledRejection')
  real.on('unhandledRejection', listener)
  return {
    reasons,
    stop() {
      real.removeListener('unhandledRejection', listener)
      for (const previous of saved) real.on('unhandledRejection', previous)
    },
  }
}
