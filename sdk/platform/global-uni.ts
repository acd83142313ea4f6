import { onePerObject } from './one-per-object'
import type { MiniProgramRuntime } from './runtime'

/** Declared non-null: only {@link globalUni} may run where it is missing, and it checks `typeof` first. */
declare const uni: MiniProgramRuntime

/** The global `uni` object itself, or `undefined` outside uni-app. */
export function globalUni(): MiniProgramRuntime | undefined {
  return typeof uni !== 'undefined' && uni ? uni : undefined
}

/**
 * The global `uni` with every API the SDK uses named statically.
 *
 * uni-app's default H5 build tree-shakes `uni`: it keeps only the APIs the
 * code names as `uni.<api>`, imports each from `@dcloudio/uni-h5`, and
 * leaves `window.uni` an empty object. An adapter that reaches the APIs
 * through a variable would find nothing (issue 14), so each one is read
 * here, written out, and the build keeps it. APIs a target lacks (the file
 * system and batch storage on H5) read as `undefined` and the capabilities
 * say so. Called in uni-app only, where `uni` exists.
 */
export function namedGlobalUni(): MiniProgramRuntime {
  return namedView(uni)
}

/** One named view per global `uni`: the storage adapter, and with it the outbox engine, is shared by identity. */
const namedView = onePerObject((_global: MiniProgramRuntime) => nameApis())

function nameApis(): MiniProgramRuntime {
  // Every read must stay a literal `uni.<api>`: an alias or a loop would hide it from the tree-shaker.
  return {
    setStorageSync: uni.setStorageSync,
    getStorageSync: uni.getStorageSync,
    removeStorageSync: uni.removeStorageSync,
    getStorageInfoSync: uni.getStorageInfoSync,
    batchSetStorageSync: uni.batchSetStorageSync,
    batchGetStorageSync: uni.batchGetStorageSync,
    getNetworkType: uni.getNetworkType,
    onNetworkStatusChange: uni.onNetworkStatusChange,
    offNetworkStatusChange: uni.offNetworkStatusChange,
    request: uni.request,
    uploadFile: uni.uploadFile,
    downloadFile: uni.downloadFile,
    getFileSystemManager: uni.getFileSystemManager,
    compressImage: uni.compressImage,
    onAppShow: uni.onAppShow,
    onAppHide: uni.onAppHide,
    getRandomValues: uni.getRandomValues,
    env: uni.env,
  }
}
