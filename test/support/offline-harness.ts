import { createOffline, createWxPlatform, type OfflineClient, type OfflineOptions, type Platform } from 'miniprogram-offline'
import { AppKilledError, createWxEmulator, type WxEmulator, type WxEmulatorOptions } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from './test-server'

/** An emulated phone, a real loopback server, and the clients made on them. */
export interface OfflineHarness {
  emu: WxEmulator
  server: TestServer
  /** A platform over the emulator (a new one after each `restart`, as a cold start builds). */
  platform(): Platform
  /** A client on the current platform; closed by `dispose`. */
  client(options?: OfflineOptions): OfflineClient
  /**
   * A client as another page builds it: its own `createWxPlatform` over the
   * same `wx` (namespace `'test'` unless given); closed by `restart` and `dispose`.
   */
  page(options?: OfflineOptions): OfflineClient
  /** Kills the app (if not already dead) and cold-starts it. */
  restart(): void
  dispose(): Promise<void>
}

/** Closes a client whose app may already be dead: the emulator then refuses its calls, which a real kill makes moot. */
function closeAfterKill(client: OfflineClient): void {
  try {
    client.close()
  } catch (error) {
    if (!(error instanceof AppKilledError)) throw error
  }
}

export async function createHarness(emulatorOptions: WxEmulatorOptions = {}): Promise<OfflineHarness> {
  const emu = createWxEmulator(emulatorOptions)
  const server = await startTestServer()
  let platform = createWxPlatform(emu.wx, { clock: emu.clock })
  const clients: OfflineClient[] = []
  return {
    emu,
    server,
    platform: () => platform,
    client(options = {}) {
      const client = createOffline({ platform, namespace: 'test', ...options })
      clients.push(client)
      return client
    },
    page(options = {}) {
      const client = createOffline({ platform: createWxPlatform(emu.wx, { clock: emu.clock }), namespace: 'test', ...options })
      clients.push(client)
      return client
    },
    restart() {
      // The dead app's objects stay in memory but must not hold the namespace.
      for (const client of clients.splice(0)) closeAfterKill(client)
      emu.faults.kill()
      emu.restart()
      platform = createWxPlatform(emu.wx, { clock: emu.clock })
    },
    async dispose() {
      for (const client of clients.splice(0)) client.close()
      await server.close()
      await emu.dispose()
    },
  }
}

/** Polls until `condition` holds (real time), failing with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
