import { detectPlatform } from '../../sdk/platform/detect-platform'
import { createWxEmulator } from '../../sdk/testing'

const globals = globalThis as { wx?: unknown; uni?: unknown }

afterEach(() => {
  delete globals.wx
  delete globals.uni
})

test('finds wx first, then uni, and gives the same platform object for the same runtime', async () => {
  const emu = createWxEmulator()
  globals.uni = emu.uni
  expect(detectPlatform().name).toBe('uni')
  globals.wx = emu.wx
  const platform = detectPlatform()
  expect(platform.name).toBe('wx')
  expect(detectPlatform()).toBe(platform)
  await emu.dispose()
})

test('without wx or uni it fails clearly', () => {
  expect(() => detectPlatform()).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }))
})
