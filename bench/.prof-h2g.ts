import { median, timeMs } from './bench-section'
import { benchClient, roomyPhone } from './outbox-fixtures'
import { createWxPlatform } from '../sdk/platform/wx-platform'
const { emu } = roomyPhone()
const t1: number[] = []
const t2: number[] = []
for (let i = 0; i < 9; i++) {
  emu.restart()
  const platform = createWxPlatform(emu.wx, { clock: emu.clock })
  t1.push(timeMs(() => benchClient(platform).close()))
  t2.push(timeMs(() => benchClient(platform).close()))
}
console.log('fresh wx each time', median(t1), t1.map((x) => x.toFixed(1)).join(' '))
console.log('same platform again', median(t2), t2.map((x) => x.toFixed(1)).join(' '))
