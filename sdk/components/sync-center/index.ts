import type { OfflineClient, SyncEvents, SyncStatus } from '../../index'
import { watchProvidedOffline } from '../offline-provider'
import { toRow } from '../pending-row'

/** Events after which `pending()` may read differently while the status stays the same. */
const ROW_EVENTS: Array<keyof SyncEvents> = ['queued', 'sending', 'progress', 'sent', 'retryScheduled', 'deadLettered', 'expired', 'superseded']

type Instance = WechatMiniprogram.Component.TrivialInstance & { stops?: Array<() => void>; stopWatching?: () => void; client?: OfflineClient }

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`
}

function stopClient(owner: Instance): void {
  owner.stops?.forEach((stop) => stop())
  owner.stops = undefined
  owner.client = undefined
}

function follow(owner: Instance, client: OfflineClient): void {
  owner.client = client
  const refresh = () => refreshList(owner)
  owner.stops = [client.status.subscribe(refresh), ...ROW_EVENTS.map((name) => client.on(name, refresh))]
}

function refreshList(owner: Instance): void {
  const client = owner.client
  if (!client) return owner.setData({ items: [], offline: true, usage: '' })
  const status: SyncStatus = client.status.get()
  const usage = client.usage()
  owner.setData({
    offline: status.online !== true,
    items: client.pending().map(toRow),
    usage: `存储 ${kilobytes(usage.storageBytes)} / ${kilobytes(usage.storageBudgetBytes)} · 文件 ${kilobytes(usage.fileBytes)} / ${kilobytes(usage.fileBudgetBytes)}`,
  })
}

// 待同步: every item still to send, with its title, progress, last error and
// next attempt; dead letters with why they died, 重试 and 放弃.
Component({
  properties: {
    /** Show the storage and file usage line. */
    showUsage: { type: Boolean, value: true },
  },
  data: { items: [] as unknown[], offline: true, usage: '' },
  lifetimes: {
    attached(this: Instance) {
      this.stopWatching = watchProvidedOffline((client) => {
        stopClient(this)
        if (client) follow(this, client)
        refreshList(this)
      })
    },
    detached(this: Instance) {
      this.stopWatching?.()
      stopClient(this)
    },
  },
  methods: {
    /** 立即同步: replays now instead of waiting for the backoff. */
    syncNow(this: Instance) {
      return this.client?.flush()
    },
    retry(this: Instance, event: WechatMiniprogram.TouchEvent) {
      const id = String(event.currentTarget.dataset.id)
      this.triggerEvent('retry', { id })
      return this.client?.retry(id)
    },
    discard(this: Instance, event: WechatMiniprogram.TouchEvent) {
      const id = String(event.currentTarget.dataset.id)
      this.client?.discard(id)
      this.triggerEvent('discard', { id })
      refreshList(this)
    },
  },
})
