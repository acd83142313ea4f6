import type { SyncStatus } from '../../index'
import { offlineStatusBehavior } from '../status-behavior'
import { describeStatus, nextBatch } from '../status-text'

// The status strip: 离线 / 同步中 3/12 / 2 条待发送 / 1 条发送失败 / 全部已发送,
// live from the provided client. Tapping it fires `open` (e.g. to navigate to
// the sync center). Shows nothing while the network state is not yet known.
Component({
  behaviors: [offlineStatusBehavior],
  options: { addGlobalClass: false },
  properties: {
    /** Hide the strip when everything is sent. */
    hideWhenDone: { type: Boolean, value: false },
  },
  data: { tone: 'hidden', text: '', batch: 0 },
  observers: {
    'sync, hideWhenDone'(this: WechatMiniprogram.Component.TrivialInstance, sync: SyncStatus | null, hideWhenDone: boolean) {
      if (!sync) return this.setData({ tone: 'hidden', text: '', batch: 0 })
      const batch = nextBatch(sync, (this.data as { batch: number }).batch)
      const state = describeStatus(sync, batch)
      const hidden = state.tone === 'done' && hideWhenDone
      this.setData({ batch, tone: hidden ? 'hidden' : state.tone, text: hidden ? '' : state.text })
    },
  },
  methods: {
    open() {
      this.triggerEvent('open', {})
    },
  },
})
