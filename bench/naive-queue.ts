/**
 * COMPARISON BASELINE ONLY, not SDK code: the offline queue of seed `000_*`
 * as mini-programs usually write it. The whole queue is one array in one
 * storage key, rewritten on every push, and replayed by a serial loop that
 * removes an entry after it is sent.
 */
import type { HttpRequest, Platform } from '../sdk/platform/platform'

interface NaiveTask {
  request: HttpRequest
  timestamp: number
}

export class NaiveQueue {
  constructor(private readonly platform: Platform, private readonly key: string) {}

  private load(): NaiveTask[] {
    const stored = this.platform.storage.get(this.key)
    return Array.isArray(stored) ? (stored as NaiveTask[]) : []
  }

  /** Reads the array, appends, writes it all back: the seed's `queue.push` + `setItem`. */
  push(request: HttpRequest): void {
    const queue = this.load()
    queue.push({ request, timestamp: this.platform.clock.now() })
    this.platform.storage.set(this.key, queue)
  }

  /** Sets up a backlog in one write (pushing one by one would take quadratic time just to prepare the bench). */
  fill(requests: HttpRequest[]): void {
    this.platform.storage.set(this.key, requests.map((request) => ({ request, timestamp: this.platform.clock.now() })))
  }

  /** Opening means reading and parsing every task. */
  size(): number {
    return this.load().length
  }

  /** The seed's `syncOfflineQueue`: one request at a time, the array rewritten after each success. */
  async replay(): Promise<void> {
    const queue = this.load()
    for (let i = 0; i < queue.length; i++) {
      try {
        const response = await this.platform.http.request(queue[i].request).result
        if (response.statusCode >= 400) continue
        queue.splice(i, 1)
        i--
        this.platform.storage.set(this.key, queue)
      } catch {
        // The seed logs and moves on; the task stays for the next sync.
      }
    }
  }
}
