import * as vm from 'vm'
import { AppKilledError } from 'miniprogram-offline/testing'

/**
 * Unhandled promise rejections during field days.
 *
 * When the emulator kills the app at a write, SDK work nobody awaits (a
 * replay started by a reconnect or a backoff timer) rejects with
 * `AppKilledError`. On a phone a killed app runs no more JavaScript, so
 * these are artefacts of emulating a kill in one process, and Jest would
 * fail the test for them. Any other unhandled rejection is something a real
 * app would see: it is routed to the running day as a problem.
 *
 * Jest gives test files a sandboxed `process` whose listeners never fire, so
 * this listens on the worker's real one (found through `vm`), standing in
 * for Jest's own listener only between `install()` and `uninstall()`.
 */

type Listener = (...args: unknown[]) => void

function realProcess(): NodeJS.Process {
  return vm.runInThisContext('process') as NodeJS.Process
}

function isKill(reason: unknown): boolean {
  return reason instanceof AppKilledError || (reason instanceof Error && reason.message.includes('the app was killed'))
}

export class RejectionWatch {
  private saved: Listener[] | undefined
  private sink: ((reason: unknown) => void) | undefined
  /** Kill artefacts swallowed so far. */
  killArtefacts = 0
  /** Rejections that arrived while no day was listening (reported by `uninstall`). */
  readonly unrouted: unknown[] = []
  private readonly listener = (reason: unknown): void => {
    if (isKill(reason)) this.killArtefacts += 1
    else if (this.sink) this.sink(reason)
    else this.unrouted.push(reason)
  }

  install(): void {
    const process = realProcess()
    this.saved = process.rawListeners('unhandledRejection') as Listener[]
    process.removeAllListeners('unhandledRejection')
    process.on('unhandledRejection', this.listener)
  }

  /** Puts Jest's listeners back; returns rejections no day claimed. */
  uninstall(): unknown[] {
    const process = realProcess()
    process.removeListener('unhandledRejection', this.listener)
    for (const listener of this.saved ?? []) process.on('unhandledRejection', listener)
    this.saved = undefined
    return this.unrouted
  }

  /** Sends non-kill rejections to `sink` until the returned function is called. */
  route = (sink: (reason: unknown) => void): (() => void) => {
    this.sink = sink
    return () => {
      if (this.sink === sink) this.sink = undefined
    }
  }
}
