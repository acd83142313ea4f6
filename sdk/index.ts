/**
 * miniprogram-offline: keeps WeChat and uni-app mini-programs working
 * without a network.
 * @packageDocumentation
 */
export * from './errors'
export * from './platform'
