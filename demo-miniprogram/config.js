// Where the demo server runs: `npm run demo:server` serves 127.0.0.1:3900.
// In WeChat DevTools, tick 详情 -> 本地设置 -> 不校验合法域名 to reach it.
module.exports = {
  apiBase: 'http://127.0.0.1:3900',
  namespace: 'demo:rep-001',
}
