/** The part of the Web Crypto API the SDK uses. */
interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T
}

declare const crypto: WebCrypto | undefined

/**
 * `crypto.getRandomValues` of a browser (uni-app H5) or of Node, bound to its
 * object, or `undefined` where the runtime has none (WeChat's JS engine has
 * `wx.getRandomValues` instead).
 */
export function webGetRandomValues(): ((array: Uint8Array) => Uint8Array) | undefined {
  if (typeof crypto === 'undefined' || !crypto || typeof crypto.getRandomValues !== 'function') return undefined
  const source = crypto
  return (array) => source.getRandomValues(array)
}
