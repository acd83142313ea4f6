import type { MiniProgramRuntime } from './runtime'
import { webGetRandomValues } from './web-crypto'

/** Where the random bytes of a runtime come from, best first. */
export type RandomSource = 'runtime' | 'webCrypto' | 'mathRandom'

/**
 * The best source a runtime offers: its own `getRandomValues` (WeChat base
 * library 2.15.0+), else the Web Crypto API (uni-app H5 has no
 * `uni.getRandomValues` but every browser has `crypto.getRandomValues`),
 * else `Math.random` (plugins, old base libraries).
 */
export function randomSourceOf(runtime: MiniProgramRuntime): RandomSource {
  if (runtime.getRandomValues) return 'runtime'
  return webGetRandomValues() ? 'webCrypto' : 'mathRandom'
}

/**
 * Random bytes from the best source of {@link randomSourceOf}. The first two
 * are cryptographically secure; `Math.random` is the last resort, good
 * enough for idempotency keys, never for secrets.
 */
export function createRandomBytes(runtime: MiniProgramRuntime): (length: number) => Promise<Uint8Array> {
  const getRandomValues = runtime.getRandomValues
  if (getRandomValues) {
    return (length) =>
      new Promise((resolve, reject) => {
        getRandomValues.call(runtime, {
          length,
          success: (result) => resolve(new Uint8Array(result.randomValues)),
          fail: (error) => reject(new Error(error.errMsg)),
        })
      })
  }
  const web = webGetRandomValues()
  if (web) return (length) => Promise.resolve(web(new Uint8Array(length)))
  return (length) => Promise.resolve(Uint8Array.from({ length }, () => Math.floor(Math.random() * 256)))
}
