import { readFileSync } from 'fs'
import { median, timeMs } from './bench-section'
import { roomyPhone } from './outbox-fixtures'
import { DurableStore } from '../sdk/store'
import { scanStorageKeys } from '../sdk/store/store-repair'
import { parseRecordKey } from '../sdk/store/record-keys'
const { emu, platform } = roomyPhone()
for (const [k, v] of JSON.parse(readFileSync('/tmp/h2/snap.json', 'utf8')) as [string, unknown][]) emu.wx.setStorageSync(k, v)
const runs = Array.from({ length: 41 }, (_, i) => i)
const keys = platform.storage.info().keys
console.log('info', median(runs.map(() => timeMs(() => platform.storage.info()))))
console.log('parse', median(runs.map(() => timeMs(() => { for (const k of keys) parseRecordKey('mpo/bench/', k) }))))
console.log('scan', median(runs.map(() => timeMs(() => scanStorageKeys(keys, 'mpo/bench/')))))
console.log('open bench', median(runs.map(() => timeMs(() => DurableStore.open(platform.storage, { namespace: 'bench' }).close()))))
const naive = JSON.stringify(JSON.parse(readFileSync('/tmp/h2/snap.json', 'utf8')))
console.log('naive-ish parse of all values', median(runs.map(() => timeMs(() => JSON.parse(naive)))))
