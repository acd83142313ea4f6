const { getOffline } = require('../../services/offline')

function kilobytes(bytes) {
  return `${Math.round(bytes / 1024)} KB`
}

/** One row of the list: what it is, how far it got, what went wrong last. */
function toRow(item) {
  const title = (item.metadata && item.metadata.title) || `${item.method} ${item.url}`
  const progress = item.progress.total > 1 ? ` · 进度 ${item.progress.done}/${item.progress.total}` : ''
  const state = item.state === 'deadLetter' ? '发送失败' : item.sending ? '发送中' : '等待发送'
  const detail = `${state} · 已尝试 ${item.attempts} 次${progress}`
  return { id: item.id, state: item.state, title, detail, error: item.lastError ? item.lastError.message : '' }
}

// 同步中心: every pending item with its progress and last error, "retry now",
// dead letters with retry/discard, storage and file usage.
Component({
  data: { items: [], status: {}, usage: { storage: '', files: '' } },
  lifetimes: {
    attached() {
      const offline = getOffline()
      this.unsubscribe = offline.status.subscribe((status) => this.refresh(status))
    },
    detached() {
      if (this.unsubscribe) this.unsubscribe()
    },
  },
  methods: {
    refresh(status) {
      const offline = getOffline()
      const usage = offline.usage()
      this.setData({
        status,
        items: offline.pending().map(toRow),
        usage: {
          storage: `${kilobytes(usage.storageBytes)} / ${kilobytes(usage.storageBudgetBytes)}`,
          files: `${kilobytes(usage.fileBytes)} / ${kilobytes(usage.fileBudgetBytes)}`,
        },
      })
    },
    retryNow() {
      return getOffline().flush()
    },
    retry(event) {
      return getOffline().retry(event.currentTarget.dataset.id)
    },
    discard(event) {
      getOffline().discard(event.currentTarget.dataset.id)
      this.refresh(getOffline().status.get())
    },
  },
})
