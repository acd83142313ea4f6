const { getOffline } = require('../../services/offline')
const { describe, nextBatch } = require('./bar-text')

// Shown on every page: offline / 同步中 3/12 / all sent, live from offline.status.
Component({
  data: { text: '', tone: 'done' },
  lifetimes: {
    attached() {
      let batch = 0
      this.unsubscribe = getOffline().status.subscribe((status) => {
        batch = nextBatch(status, batch)
        this.setData(describe(status, batch))
      })
    },
    detached() {
      if (this.unsubscribe) this.unsubscribe()
    },
  },
})
