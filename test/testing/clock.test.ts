import { createWxEmulator, VirtualClock, type WxEmulator } from '../../sdk/testing'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

describe('virtual clock: advance() is time passing, jump() is the phone\'s clock being set', () => {
  let clock: VirtualClock

  beforeEach(() => {
    clock = new VirtualClock()
  })

  afterEach(() => clock.clearAll())

  test('advance() moves the wall clock and fires timers that fall due, in due order', () => {
    const fired: string[] = []
    const start = clock.now()
    clock.setTimeout(() => fired.push('b'), 2 * MINUTE)
    clock.setTimeout(() => fired.push('a'), MINUTE)
    clock.setTimeout(() => fired.push('c'), 10 * MINUTE)
    clock.advance(5 * MINUTE)
    expect(fired).toEqual(['a', 'b'])
    expect(clock.now() - start).toBeGreaterThanOrEqual(5 * MINUTE)
    expect(clock.pendingTimers).toBe(1)
  })

  test('jump() forward moves now() but fires no timer, however far', () => {
    const fired: string[] = []
    const start = clock.now()
    clock.setTimeout(() => fired.push('backoff'), 5 * MINUTE)
    clock.jump(DAY)
    expect(clock.now() - start).toBeGreaterThanOrEqual(DAY)
    expect(clock.now() - start).toBeLessThan(DAY + MINUTE)
    expect(fired).toEqual([])
    expect(clock.pendingTimers).toBe(1)
  })

  test('jump() back (the user sets the clock to 1970) does not delay timers: they run on elapsed time', () => {
    const fired: string[] = []
    clock.setTimeout(() => fired.push('backoff'), 5 * MINUTE)
    clock.jump(-DAY)
    clock.advance(4 * MINUTE)
    expect(fired).toEqual([])
    clock.advance(MINUTE)
    expect(fired).toEqual(['backoff'])
  })

  test('a timer set after a jump is due after its own delay of elapsed time', () => {
    const fired: string[] = []
    clock.jump(-30 * DAY)
    clock.setTimeout(() => fired.push('retry'), MINUTE)
    clock.jump(30 * DAY)
    expect(fired).toEqual([])
    clock.advance(MINUTE)
    expect(fired).toEqual(['retry'])
  })

  test('now() after jumps and advances is real time plus their sum', () => {
    const before = Date.now()
    clock.jump(-DAY)
    clock.advance(MINUTE)
    clock.jump(10 * MINUTE)
    const expected = before - DAY + 11 * MINUTE
    expect(clock.now()).toBeGreaterThanOrEqual(expected)
    expect(clock.now()).toBeLessThan(expected + 1000)
  })

  test('advance() refuses to run time backwards, and both refuse non-finite amounts', () => {
    expect(() => clock.advance(-1)).toThrow(RangeError)
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError)
    expect(() => clock.jump(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})

describe('virtual clock on the emulator', () => {
  let emu: WxEmulator

  beforeEach(() => {
    emu = createWxEmulator()
  })

  afterEach(() => emu.dispose())

  test('a clock jump does not count as time in the background: no suspension', () => {
    emu.hide()
    emu.clock.jump(DAY)
    expect(emu.network.suspended).toBe(false)
    emu.clock.advance(5_000)
    expect(emu.network.suspended).toBe(true)
  })
})
