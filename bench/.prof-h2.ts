import { existsSync, readFileSync, writeFileSync } from 'fs'
import { median, timeMs } from './bench-section'
import { benchClient, fill, roomyPhone } from './outbox-fixtures'
const SNAP = '/tmp/h2/snap.json'
async function main() {
  const { emu, platform } = roomyPhone()
  if (!existsSync(SNAP)) {
    const offline = benchClient(platform)
    await fill(offline, 10000, 'https://example.com/visits')
    offline.close()
    const keys = emu.wx.getStorageInfoSync().keys
    writeFileSync(SNAP, JSON.stringify(keys.map((k) => [k, emu.wx.getStorageSync(k)])))
  } else {
    for (const [k, v] of JSON.parse(readFileSync(SNAP, 'utf8')) as [string, unknown][]) emu.wx.setStorageSync(k, v)
  }
  const times = [1, 2, 3, 4, 5, 6, 7].map(() => timeMs(() => benchClient(platform).close()))
  console.log('open', median(times))
}
main()
