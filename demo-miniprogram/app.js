const { createWxPlatform } = require('miniprogram-offline')

App({
  globalData: {
    platform: createWxPlatform(wx),
  },
})
