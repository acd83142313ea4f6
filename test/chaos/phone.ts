import { createOffline, createWxPlatform, type OfflineClient, type OfflineOptions, type OutboxEntry, type Platform } from 'miniprogram-offline'
import { createWxEmulator, type WxEmulator } from 'miniprogram-offline/testing'

/** The namespace every field day uses; its store keys start with `mpo/chaos/`. */
export const NAMESPACE = 'chaos'
/** Real milliseconds an SDK call may take before the day reports it as hung (they take a few ms, a loaded CI machine included). */
export const CALL_TIMEOUT_MS = 3000
/** Real milliseconds the phone may stay busy before the day reports that it never settled. */
export const SETTLE_TIMEOUT_MS = 3000

/** SDK events the invariants need, from every instance of the app (a killed one's included). */
export type RecordedEventName = 'queued' | 'sent' | 'deadLettered' | 'expired' | 'superseded'

export interface RecordedEvent {
  name: RecordedEventName | 'storageLost'
  /** The action's tag, from the entry's metadata (undefined for `storageLost`). */
  tag: string | undefined
  /** The entry's id; for `storageLost`, the first id named (all are in `ids`). */
  entryId: string
  /** `storageLost`: every entry id it names. */
  ids?: string[]
  /** Which start of the app emitted it (1 for the first). */
  instance: number
  /** The phone's wall clock when it was emitted (possibly set wrong). */
  wallTime: number
  /** The right time when it was emitted. */
  rightTime: number
}

/** How a guarded SDK call ended. */
export type CallOutcome<T> =
  | { kind: 'resolved'; value: T }
  | { kind: 'threw'; error: unknown }
  /** The app died before the call returned: the call was not accepted. */
  | { kind: 'killed' }
  /** Neither resolved nor threw within {@link CALL_TIMEOUT_MS}, the app alive. */
  | { kind: 'hung' }

/** A kept file in the SDK's folder. */
export interface KeptFile {
  name: string
  bytes: number
}

const RECORDED: RecordedEventName[] = ['queued', 'sent', 'deadLettered', 'expired', 'superseded']

/** One page of the app: its own platform object over the run's `wx`, its own client, the user logged in when it opened. */
export interface Page {
  platform: Platform
  client: OfflineClient
  user: number
}

/** Client options for a page opened by `user` (without the platform: each page builds its own). */
export type PageOptions = (user: number) => Omit<OfflineOptions, 'platform' | 'namespace'>

function tagOf(entry: OutboxEntry): string | undefined {
  const tag = entry.metadata?.action
  return typeof tag === 'string' ? tag : undefined
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * One emulated phone running the app: the emulator, the SDK client of the
 * current run of the app, and what every run emitted. A cold start builds a
 * new platform and client over the same storage and files, as WeChat does.
 */
export class Phone {
  readonly emu: WxEmulator
  readonly events: RecordedEvent[] = []
  /** Open pages, the one on top last; user actions go through it. */
  pages: Page[] = []
  /** Starts of the app so far. */
  instance = 0
  /** The user logged in (a logout switches to the next one; it survives cold starts, as a stored session does). */
  user = 1
  /** The phone's wall clock minus the right time (the user set the clock wrong); it survives cold starts. */
  skew = 0
  /** Pages opened so far, over every start. */
  pagesOpened = 0
  /** Errors the app's own listeners threw, as the SDK handed them to `onError`. */
  listenerErrors = 0
  /** Throwing listeners that were called (each a throw the SDK had to survive). */
  listenerThrows = 0
  private deathWatchers: Array<() => void> = []
  /** `ready` of pages opened since the last settle. */
  private opening: Array<Promise<void>> = []
  /** Payloads already recorded: every page's listener gets the same one from an engine they share. */
  private recorded = new WeakSet<object>()

  constructor(
    /** Client options of a page, by the user who opened it. */
    private readonly options: PageOptions,
    online: boolean,
  ) {
    this.emu = createWxEmulator({ online })
    this.emu.faults.whenKilled(() => {
      for (const watcher of this.deathWatchers.splice(0)) watcher()
    })
    this.instance = 1
    this.openPage()
  }

  /** The page on top. */
  get top(): Page {
    return this.pages[this.pages.length - 1]
  }

  /** The client of the page on top. */
  get client(): OfflineClient {
    return this.top.client
  }

  /** The platform object of the page on top. */
  get platform(): Platform {
    return this.top.platform
  }

  get alive(): boolean {
    return !this.emu.faults.killed
  }

  /** The SDK's kept files, `${USER_DATA_PATH}/mpo/<namespace>/<queue>`. */
  get folder(): string {
    return `${this.platform.fs.userDataPath}/mpo/${NAMESPACE}/default`
  }

  /**
   * Waits for an SDK call the way the app would, except that the app may die
   * meanwhile (a killed app's calls never settle: its network callbacks are
   * dropped) and a call that never settles is reported instead of awaited.
   */
  guard<T>(call: () => Promise<T>, timeoutMs = CALL_TIMEOUT_MS): Promise<CallOutcome<T>> {
    return new Promise((resolve) => {
      let settled = false
      const finish = (outcome: CallOutcome<T>): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(outcome)
      }
      const timer = setTimeout(() => finish({ kind: 'hung' }), timeoutMs)
      if (!this.alive) return finish({ kind: 'killed' })
      this.deathWatchers.push(() => finish({ kind: 'killed' }))
      let promise: Promise<T>
      try {
        promise = call()
      } catch (error) {
        return finish(this.alive ? { kind: 'threw', error } : { kind: 'killed' })
      }
      promise.then(
        (value) => finish({ kind: 'resolved', value }),
        (error: unknown) => finish(this.alive ? { kind: 'threw', error } : { kind: 'killed' }),
      )
    })
  }

  /** A page opens on top: its own `createWxPlatform(wx)` and `createOffline`, for the user logged in now. */
  openPage(): Page {
    this.pagesOpened += 1
    const platform = createWxPlatform(this.emu.wx, { clock: this.emu.clock })
    const user = this.user
    const client = createOffline({
      ...this.options(user),
      platform,
      namespace: NAMESPACE,
      onError: () => void (this.listenerErrors += 1),
    })
    const instance = this.instance
    for (const name of RECORDED) {
      client.on(name, (payload: { entry: OutboxEntry }) => {
        if (this.recorded.has(payload)) return
        this.recorded.add(payload)
        const { entry } = payload
        this.events.push({ name, tag: tagOf(entry), entryId: entry.id, instance, ...this.times() })
      })
    }
    client.on('storageLost', (payload) => {
      if (this.recorded.has(payload)) return
      this.recorded.add(payload)
      this.events.push({ name: 'storageLost', tag: undefined, entryId: payload.ids[0] ?? '', ids: [...payload.ids], instance, ...this.times() })
    })
    const page = { platform, client, user }
    this.pages.push(page)
    this.opening.push(client.ready)
    return page
  }

  /** The phone's clock now, and the right time. */
  times(): { wallTime: number; rightTime: number } {
    const wallTime = this.emu.clock.now()
    return { wallTime, rightTime: wallTime - this.skew }
  }

  /** The page on top closes its client (`onUnload`); returns false when it was the last page (then nothing closed). */
  closeTopPage(keepLast = true): boolean {
    if (keepLast && this.pages.length < 2) return false
    const page = this.pages.pop()
    page?.client.close()
    return true
  }

  /** Every page closes (a reLaunch, e.g. to the login page). */
  closeAllPages(): void {
    while (this.pages.length > 0) this.closeTopPage(false)
  }

  /** The page on top adds a `status.subscribe` listener and `on()` listeners that throw. */
  addThrowingListeners(): void {
    const boom = (): never => {
      this.listenerThrows += 1
      throw new Error('a page listener threw')
    }
    this.client.status.subscribe(boom)
    for (const name of ['queued', 'sending', 'sent', 'retryScheduled', 'drained'] as const) this.client.on(name, boom)
  }

  /** Kills the app if it is still alive and starts it again: storage and kept files stay, everything else goes. */
  coldStart(): void {
    // Killed first: a dying app runs no more code, so nothing `close()` would save gets saved.
    this.emu.faults.kill()
    for (const page of this.pages.splice(0)) {
      try {
        page.client.close()
      } catch {
        // A killed app's client may fail to let go; the new platform below has storage of its own anyway.
      }
    }
    // The dead run's pages never finish starting.
    this.opening = []
    this.emu.restart()
    this.instance += 1
    this.openPage()
  }

  /**
   * Waits (real time) until nothing moves: no replay, no call in flight on the
   * phone or at the server, no write for a few turns. Returns false when the
   * phone is still busy after {@link SETTLE_TIMEOUT_MS}.
   */
  async settle(serverInFlight: () => number): Promise<boolean> {
    // A page opened meanwhile (a redirect, a new user's page) starts up first.
    const opening = this.opening.splice(0)
    if (opening.length > 0 && (await this.guard(() => Promise.allSettled(opening))).kind === 'hung') return false
    const deadline = Date.now() + SETTLE_TIMEOUT_MS
    let quietTurns = 0
    let writes = this.emu.faults.writes
    while (quietTurns < 3) {
      await sleep(1)
      const phoneBusy = this.alive && (this.client.status.get().syncing || this.emu.network.inFlight > 0 || this.emu.network.queued > 0)
      const busy = phoneBusy || serverInFlight() > 0 || this.emu.faults.writes !== writes
      quietTurns = busy ? 0 : quietTurns + 1
      writes = this.emu.faults.writes
      if (Date.now() > deadline) return false
    }
    return true
  }

  /** The SDK's kept files now (the app must be alive). */
  async keptFiles(): Promise<KeptFile[]> {
    const fs = this.platform.fs
    const names = await fs.readdir(this.folder).catch((): string[] => [])
    const files: KeptFile[] = []
    for (const name of names.sort()) {
      const stats = await fs.stat(`${this.folder}/${name}`).catch(() => undefined)
      if (stats?.isFile) files.push({ name, bytes: stats.size })
    }
    return files
  }

  /** UTF-8 bytes the keys under `prefix` really occupy in storage (names plus JSON values), as WeChat counts them. */
  storageBytesUnder(prefix: string): number {
    let bytes = 0
    for (const key of this.emu.wx.getStorageInfoSync().keys) {
      if (!key.startsWith(prefix)) continue
      bytes += Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(this.emu.wx.getStorageSync(key)))
    }
    return bytes
  }

  dispose(): void {
    for (const page of this.pages.splice(0)) {
      try {
        page.client.close()
      } catch {
        // Already dead: nothing to release.
      }
    }
    this.emu.dispose()
  }
}
