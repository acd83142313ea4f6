import type { Platform } from '../platform/platform'
import { uuidV4 } from '../queue/idempotency-key'

/** Ids' worth of random bytes fetched at once. */
const IDS_PER_FILL = 32

/**
 * Entry ids (which are the idempotency keys): UUID v4 from the platform's
 * secure random bytes. `getRandomValues` is asynchronous and costs a turn of
 * the event loop per call, which an online `request()` would otherwise pay
 * every time, so bytes are fetched for 32 ids at once.
 */
export class IdPool {
  private bytes: Uint8Array = new Uint8Array(0)
  private offset = 0
  private filling: Promise<void> | undefined

  constructor(private readonly platform: Platform) {}

  async next(): Promise<string> {
    while (this.offset + 16 > this.bytes.length) await this.fill()
    const id = uuidV4(this.bytes.subarray(this.offset, this.offset + 16))
    this.offset += 16
    return id
  }

  private fill(): Promise<void> {
    this.filling ??= this.platform.randomBytes(16 * IDS_PER_FILL).then(
      (bytes) => {
        this.bytes = bytes
        this.offset = 0
        this.filling = undefined
      },
      (error: unknown) => {
        this.filling = undefined
        throw error
      },
    )
    return this.filling
  }
}
