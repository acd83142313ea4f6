/**
 * COMPARISON BASELINE ONLY, not SDK code: the offline queue of seed `000_*`
 * as mini-programs usually write it. The whole queue is one array in one
 * storage key, rewritten on every push, and replayed by a serial loop, in
 * one of two ways (see {@link NAIVE_REPLAYS}).
 */
import type { HttpRequest, Platform } from '../sdk/platform/platform'

interface NaiveTask {
  request: HttpRequest
  timestamp: number
}

/** How the serial loop saves its progress. */
export type NaiveReplay = 'write-once' | 'write-each'

/** What each replay variant is, for bench tables. */
export const NAIVE_REPLAYS: Record<NaiveReplay, string> = {
  'write-once': "seed 000's syncOfflineQueue: one write after the loop",
  'write-each': 'naive loop rewriting the queue after each success',
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

  /**
   * One request at a time; a task leaves the array once answered below 400
   * (axios's default), otherwise it stays for the next sync.
   *
   * - `'write-once'` is the seed's `syncOfflineQueue` as written: the array
   *   is saved once, after the loop. Cheap, but a kill mid-loop forgets
   *   every success of the run, and all of them are sent again.
   * - `'write-each'` saves the array after each success: a kill loses less
   *   progress, and each success rewrites the whole remaining queue.
   */
  async replay(mode: NaiveReplay = 'write-once'): Promise<void> {
    const queue = this.load()
    for (let i = 0; i < queue.length; i++) {
      try {
        const response = await this.platform.http.request(queue[i].request).result
        if (response.statusCode >= 400) continue
        queue.splice(i, 1)
        i--
        if (mode === 'write-each') this.platform.storage.set(this.key, queue)
      } catch {
        // The seed logs and moves on; the task stays for the next sync.
      }
    }
    if (mode === 'write-once') this.platform.storage.set(this.key, queue)
  }
}
