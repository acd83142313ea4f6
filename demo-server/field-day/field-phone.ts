import { createOffline, createWxPlatform, type OfflineClient, type OfflineOptions } from '../../sdk'
import { createWxEmulator, type WxEmulator } from '../../sdk/testing'

/** What the phone's clients did, counted from their events, across restarts. */
export interface PhoneCounters {
  sent: number
  retries: number
  deadLettered: number
}

/**
 * One emulated phone running the SDK: the app can be killed and cold-started,
 * and the network turned on and off. Counters survive restarts.
 */
export class FieldPhone {
  readonly emu: WxEmulator
  readonly counters: PhoneCounters = { sent: 0, retries: 0, deadLettered: 0 }
  private current: OfflineClient

  constructor(private readonly options: OfflineOptions) {
    this.emu = createWxEmulator()
    this.current = this.open()
  }

  get client(): OfflineClient {
    return this.current
  }

  /** The app is swiped away mid-whatever and opened again: a cold start. */
  killAndRestart(): void {
    this.current.close()
    this.emu.faults.kill()
    this.emu.restart()
    this.current = this.open()
  }

  setOnline(online: boolean): void {
    this.emu.setOnline(online)
  }

  /** A photo from the camera: a temp file, as `wx.chooseMedia` gives. */
  takePhoto(bytes: Buffer): string {
    return this.emu.createTempFile(bytes, 'jpg')
  }

  async dispose(): Promise<void> {
    this.current.close()
    await this.emu.dispose()
  }

  private open(): OfflineClient {
    const client = createOffline({ ...this.options, platform: createWxPlatform(this.emu.wx, { clock: this.emu.clock }) })
    client.on('sent', () => (this.counters.sent += 1))
    client.on('retryScheduled', () => (this.counters.retries += 1))
    client.on('deadLettered', () => (this.counters.deadLettered += 1))
    return client
  }
}
