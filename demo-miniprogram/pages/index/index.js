// A first page that proves the SDK loads in WeChat: it shows what the runtime
// can do and follows the network. The field-work pages come with the demo issue.
Component({
  data: {
    capabilities: [],
    network: '…',
  },
  lifetimes: {
    attached() {
      const { platform } = getApp().globalData
      const capabilities = Object.keys(platform.capabilities).map((name) => ({
        name,
        supported: platform.capabilities[name],
      }))
      this.setData({ capabilities })
      platform.network.getStatus().then((status) => this.showNetwork(status))
      this.unsubscribe = platform.network.onChange((status) => this.showNetwork(status))
    },
    detached() {
      if (this.unsubscribe) this.unsubscribe()
    },
  },
  methods: {
    showNetwork(status) {
      this.setData({ network: status.isConnected ? `在线 (${status.networkType})` : '离线' })
    },
  },
})
