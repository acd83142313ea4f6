import * as http from 'http'
import type { AddressInfo } from 'net'
import { createWxEmulator, type WxEmulator } from '../../sdk/testing'
import { settle, succeed } from './helpers'

/** A loopback server that counts TCP connections and can hold answers. */
async function countingServer(): Promise<{ url: string; connections: () => number; open: () => number; close: () => Promise<void> }> {
  let connections = 0
  let open = 0
  const server = http.createServer((request, response) => {
    request.resume()
    request.on('end', () => response.end('{"ok":true}'))
  })
  server.on('connection', (socket) => {
    connections += 1
    open += 1
    socket.on('close', () => (open -= 1))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    open: () => open,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

async function get(emu: WxEmulator, url: string): Promise<number> {
  const result = await succeed<{ statusCode: number }>((callbacks) => emu.wx.request({ url, ...callbacks }))
  return result.statusCode
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('the emulated network keeps connections alive, as a phone does', () => {
  let emu: WxEmulator
  let server: Awaited<ReturnType<typeof countingServer>>

  beforeEach(async () => {
    emu = createWxEmulator()
    server = await countingServer()
  })

  afterEach(async () => {
    emu.dispose()
    await server.close()
  })

  test('calls one after another reuse one connection', async () => {
    for (let i = 0; i < 5; i++) expect(await get(emu, `${server.url}/x${i}`)).toBe(200)
    expect(server.connections()).toBe(1)
  })

  test('calls at once still go 10 at a time, and later calls reuse the connections they opened', async () => {
    const calls = Array.from({ length: 12 }, (_, i) => settle((callbacks) => emu.wx.request({ url: `${server.url}/p${i}`, ...callbacks })))
    const outcomes = await Promise.all(calls)
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    expect(emu.network.maxInFlightSeen).toBe(10)
    const opened = server.connections()
    expect(opened).toBeGreaterThanOrEqual(10)
    for (let i = 0; i < 5; i++) await get(emu, `${server.url}/after${i}`)
    expect(server.connections()).toBe(opened)
  })

  test('a kill, going offline and dispose() close the kept connections', async () => {
    await get(emu, `${server.url}/a`)
    expect(server.open()).toBe(1)
    emu.faults.kill()
    await waitFor(() => server.open() === 0)
    emu.restart()
    await get(emu, `${server.url}/b`)
    expect(server.connections()).toBe(2)
    emu.setOnline(false)
    await waitFor(() => server.open() === 0)
    emu.setOnline(true)
    await get(emu, `${server.url}/c`)
    expect(server.connections()).toBe(3)
    emu.dispose()
    await waitFor(() => server.open() === 0)
  })
})
