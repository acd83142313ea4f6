/**
 * Runs `work` on every item, at most `limit` at a time (WeChat allows 10
 * network calls in flight, shared with the app and the outbox). After the
 * first failure no new item starts; it rejects with that failure once the
 * items already started have settled, so nothing runs behind the caller's back.
 */
export function runLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0
    let running = 0
    let failure: { error: unknown } | undefined
    const launch = (): void => {
      while (failure === undefined && running < limit && next < items.length) {
        const index = next++
        running += 1
        work(items[index], index).then(settled, (error: unknown) => {
          failure ??= { error }
          settled()
        })
      }
      if (running > 0) return
      if (failure !== undefined) reject(failure.error)
      else resolve()
    }
    const settled = (): void => {
      running -= 1
      launch()
    }
    launch()
  })
}
