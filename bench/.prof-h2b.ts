import { readFileSync } from 'fs'
import { median, timeMs } from './bench-section'
import { roomyPhone } from './outbox-fixtures'
import { DurableStore } from '../sdk/store'
const { emu, platform } = roomyPhone()
for (const [k, v] of JSON.parse(readFileSync('/tmp/h2/snap.json', 'utf8')) as [string, unknown][]) emu.wx.setStorageSync(k, v)
const keys = emu.wx.getStorageInfoSync().keys
console.log(keys.length, keys.slice(0, 3))
const runs = [1, 2, 3, 4, 5, 6, 7, 8, 9]
console.log('open bench', median(runs.map(() => timeMs(() => DurableStore.open(platform.storage, { namespace: 'bench' }).close()))))
console.log('open cache', median(runs.map(() => timeMs(() => DurableStore.open(platform.storage, { namespace: 'bench~cache' }).close()))))
const s = DurableStore.open(platform.storage, { namespace: 'bench' })
console.log('keys()', median(runs.map(() => timeMs(() => s.keys('o/')))))
console.log(s.keys().slice(0, 3))
