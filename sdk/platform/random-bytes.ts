import type { MiniProgramRuntime } from './runtime'

/**
 * Random bytes from `getRandomValues` (cryptographically secure, base library
 * 2.15.0+), or from `Math.random` where the runtime lacks it (plugins, old
 * base libraries): good enough for idempotency keys, never for secrets.
 */
export function createRandomBytes(runtime: MiniProgramRuntime): (length: number) => Promise<Uint8Array> {
  const getRandomValues = runtime.getRandomValues
  if (!getRandomValues) {
    return (length) => Promise.resolve(Uint8Array.from({ length }, () => Math.floor(Math.random() * 256)))
  }
  return (length) =>
    new Promise((resolve, reject) => {
      getRandomValues.call(runtime, {
        length,
        success: (result) => resolve(new Uint8Array(result.randomValues)),
        fail: (error) => reject(new Error(error.errMsg)),
      })
    })
}
