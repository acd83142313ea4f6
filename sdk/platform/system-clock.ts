import type { Clock } from './platform'

/** The runtime's own clock and timers (`Date.now`, global `setTimeout`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
