import { existsSync, readFileSync, writeFileSync } from 'fs'
import { median, timeMs } from './bench-section'
import { benchClient, fill, roomyPhone } from './outbox-fixtures'
const SNAP = '/tmp/h2/snap1k.json'
async function main() {
  const { emu, platform } = roomyPhone()
  if (!existsSync(SNAP)) {
    const offline = benchClient(platform)
    await fill(offline, 1000, 'https://example.com/visits')
    offline.close()
    const keys = emu.wx.getStorageInfoSync().keys
    writeFileSync(SNAP, JSON.stringify(keys.map((k) => [k, emu.wx.getStorageSync(k)])))
  } else {
    for (const [k, v] of JSON.parse(readFileSync(SNAP, 'utf8')) as [string, unknown][]) emu.wx.setStorageSync(k, v)
  }
  const times = Array.from({length: 30}, () => timeMs(() => benchClient(platform).close()))
  console.log('open', median(times))
}
main()
