import { createOfflineReader, type OfflineReader } from '../../sdk/cache'
import type { OfflineReaderOptions } from '../../sdk/cache'
import type { Platform } from 'miniprogram-offline'
import { createWxPlatform } from 'miniprogram-offline'
import { NetworkMonitor } from '../../sdk/sync/network-monitor'
import { createWxEmulator, type WxEmulator, type WxEmulatorOptions } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from './test-server'

/** An emulated phone, a real loopback server, and read sides opened on them. */
export interface ReaderHarness {
  emu: WxEmulator
  server: TestServer
  /** A platform over the emulator (a new one after each `restart`, as a cold start builds). */
  platform(): Platform
  /** Opens the read side of `namespace` (default `'test'`) with a started network monitor; closed by `restart` and `dispose`. */
  open(options?: OfflineReaderOptions, namespace?: string): Promise<OfflineReader>
  /** Closes what is open, kills the app (if not already dead) and cold-starts it. */
  restart(): void
  /** Closes everything; calling it again does nothing. */
  dispose(): Promise<void>
}

export async function createReaderHarness(emulatorOptions: WxEmulatorOptions = {}): Promise<ReaderHarness> {
  const emu = createWxEmulator(emulatorOptions)
  const server = await startTestServer()
  let platform = createWxPlatform(emu.wx, { clock: emu.clock })
  const open: Array<{ reader: OfflineReader; monitor: NetworkMonitor }> = []
  let disposed = false
  const closeAll = (): void => {
    for (const { reader, monitor } of open.splice(0)) {
      reader.close()
      monitor.stop()
    }
  }
  return {
    emu,
    server,
    platform: () => platform,
    async open(options, namespace = 'test') {
      const monitor = new NetworkMonitor(platform.network)
      await monitor.start()
      const reader = createOfflineReader({ platform, namespace, network: monitor, options })
      open.push({ reader, monitor })
      return reader
    },
    restart() {
      // A dead app's objects stay in memory but must not hold the namespace.
      closeAll()
      emu.faults.kill()
      emu.restart()
      platform = createWxPlatform(emu.wx, { clock: emu.clock })
    },
    async dispose() {
      if (disposed) return
      disposed = true
      closeAll()
      await server.close()
      emu.dispose()
    },
  }
}
