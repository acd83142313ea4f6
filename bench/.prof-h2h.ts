import { readFileSync } from 'fs'
import { median, timeMs } from './bench-section'
import { benchClient, roomyPhone } from './outbox-fixtures'
import { createWxPlatform } from '../sdk/platform/wx-platform'
const { emu } = roomyPhone()
for (const [k, v] of JSON.parse(readFileSync('/tmp/h2/snap.json', 'utf8')) as [string, unknown][]) emu.wx.setStorageSync(k, v)
const fresh: number[] = []
const same: number[] = []
for (let i = 0; i < 7; i++) {
  emu.restart()
  const platform = createWxPlatform(emu.wx, { clock: emu.clock })
  fresh.push(timeMs(() => benchClient(platform).close()))
  same.push(timeMs(() => benchClient(platform).close()))
}
console.log('fresh', median(fresh), fresh.map((x) => x.toFixed(0)).join(' '))
console.log('same', median(same), same.map((x) => x.toFixed(0)).join(' '))
