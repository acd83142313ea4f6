const { getOffline } = require('./services/offline')

// Opening the client at launch starts the first replay of whatever the last
// session left; every page shares it through services/offline.js.
App({
  onLaunch() {
    getOffline()
  },
})
