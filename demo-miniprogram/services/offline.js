// One offline client for the whole demo app, plus the two toasts from the
// offline-queue plan. Pages and components get it through getOffline().
const { createOffline } = require('miniprogram-offline')
// The shipped components (offline-bar, sync-center) show the client provided here.
const { provideOffline } = require('miniprogram-offline/components/index')
const config = require('../config')

let offline
let settings = { apiBase: config.apiBase, namespace: config.namespace, platform: undefined }

const OFFLINE_TOAST = '当前处于离线状态，数据将暂存在本地'
const SENT_TOAST = '您刚刚提交的数据已成功上传'

/** Overrides the server or platform before first use (tests point it at a local server and the emulator). */
function configure(overrides) {
  if (offline) offline.close()
  offline = undefined
  provideOffline(undefined)
  settings = Object.assign({}, settings, overrides)
}

function watchForToasts(client) {
  let sentSinceDrained = 0
  client.on('queued', () => {
    if (!client.status.get().online) wx.showToast({ title: OFFLINE_TOAST, icon: 'none' })
  })
  client.on('sent', () => {
    sentSinceDrained += 1
  })
  client.on('drained', () => {
    if (sentSinceDrained > 0) wx.showToast({ title: SENT_TOAST, icon: 'success' })
    sentSinceDrained = 0
  })
}

function getOffline() {
  if (!offline) {
    offline = createOffline({
      namespace: settings.namespace,
      platform: settings.platform,
      headers: () => ({ 'X-Demo-User': 'rep-001' }),
    })
    watchForToasts(offline)
    provideOffline(offline)
  }
  return offline
}

function api(path) {
  return settings.apiBase + path
}

module.exports = { getOffline, configure, api, OFFLINE_TOAST, SENT_TOAST }
