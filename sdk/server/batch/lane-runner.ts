/**
 * The ordering rule: a lane's entries run one after another in the order
 * given, and a lane stops at its first answer that is not 2xx (its later
 * entries are not attempted, so they stay queued on the phone in order).
 * Lanes are independent and run up to `concurrency` at a time.
 */
import type { AttemptedResult, BatchEntry, BatchResult } from './batch-wire'

/** Whether a result lets its lane go on: 2xx only (a 3xx is not followed inside a batch). */
export const letsLaneContinue = (result: AttemptedResult): boolean => result.status >= 200 && result.status < 300

/**
 * Runs `entries` lane by lane and returns one result per entry, in the
 * order of `entries`. `stillWanted` is asked before each entry: once it
 * says no (the caller went away), the rest are not attempted.
 */
export async function runLanes(
  entries: readonly BatchEntry[],
  run: (entry: BatchEntry) => Promise<AttemptedResult>,
  concurrency: number,
  stillWanted: () => boolean = () => true,
): Promise<BatchResult[]> {
  const results: BatchResult[] = entries.map((entry) => ({ key: entry.key, notAttempted: true }))
  const lanes = new Map<string, number[]>()
  entries.forEach((entry, index) => {
    const lane = lanes.get(entry.lane)
    if (lane) lane.push(index)
    else lanes.set(entry.lane, [index])
  })
  const waiting = [...lanes.values()]

  const runLane = async (indexes: number[]): Promise<void> => {
    for (const index of indexes) {
      if (!stillWanted()) return
      const result = await run(entries[index])
      results[index] = result
      if (!letsLaneContinue(result)) return
    }
  }
  const worker = async (): Promise<void> => {
    for (let lane = waiting.shift(); lane !== undefined; lane = waiting.shift()) await runLane(lane)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, waiting.length) }, worker))
  return results
}
