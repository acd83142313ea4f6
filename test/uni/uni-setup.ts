import { createOffline, type OfflineClient } from 'miniprogram-offline'
import type { Unsubscribe } from 'miniprogram-offline'
import { createUniPlatform } from 'miniprogram-offline'
import { createWxEmulator, type UniTarget, type WxEmulator } from 'miniprogram-offline/testing'
import { startTestServer, type TestServer } from '../support/test-server'

/** An emulated phone seen through `uni`, a loopback server, and a client on them. */
export interface UniSetup {
  emu: WxEmulator
  server: TestServer
  offline: OfflineClient
  dispose(): Promise<void>
}

/** A uni-app app on `target`, as a project would build it: `createOffline` over `createUniPlatform(uni)`. */
export async function createUniSetup(target: UniTarget): Promise<UniSetup> {
  const emu = createWxEmulator({ uniTarget: target })
  const server = await startTestServer()
  const offline = createOffline({ platform: createUniPlatform(emu.uni, { clock: emu.clock }), namespace: 'uni-test' })
  await offline.ready
  return {
    emu,
    server,
    offline,
    async dispose() {
      offline.close()
      await server.close()
      await emu.dispose()
    },
  }
}

/** What the composables see of a client: {@link observe} counts it. */
export type ObservedClient = Pick<OfflineClient, 'status' | 'pending' | 'on'>

/** A client that counts the listeners open on it and the storage reads done through `pending()`. */
export interface Observed {
  client: ObservedClient
  openListeners(): number
  pendingReads(): number
}

/** Wraps `offline` so a test can see whether a page still listens, and how often it reads the list. */
export function observe(offline: OfflineClient): Observed {
  let open = 0
  let reads = 0
  const counted = (stop: Unsubscribe): Unsubscribe => {
    open += 1
    let stopped = false
    return () => {
      if (!stopped) open -= 1
      stopped = true
      stop()
    }
  }
  const client: ObservedClient = {
    status: {
      get: () => offline.status.get(),
      subscribe: (listener) => counted(offline.status.subscribe(listener)),
    },
    pending() {
      reads += 1
      return offline.pending()
    },
    on: (name, listener) => counted(offline.on(name, listener)),
  }
  return { client, openListeners: () => open, pendingReads: () => reads }
}
