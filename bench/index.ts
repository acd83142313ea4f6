/**
 * `npm run bench`: runs every registered bench section in turn, each
 * printing its own tables. `npm run bench -- store` runs only the sections
 * whose name contains "store".
 *
 * To add a bench: write `bench/<topic>-bench.ts` exporting a `BenchSection`
 * (see `bench-section.ts`) and append it to `sections` below. A full run
 * (no filter) also writes BENCHMARKS.md.
 */
import type { BenchSection } from './bench-section'
import { batchBench } from './batch-bench'
import { cacheBench } from './cache-bench'
import { h5WorkboxBench } from './h5-workbox-bench'
import { liveSendBench } from './live-send-bench'
import { writeBenchmarksReport } from './benchmarks-report'
import { bundleBench } from './bundle-bench'
import { memoryBench } from './memory-bench'
import { outboxBench } from './outbox-bench'
import { scalingBench } from './scaling-bench'
import { serverBench } from './server-bench'
import { storeBench } from './store-bench'
import { uploadBench } from './upload-bench'

const sections: BenchSection[] = [storeBench, outboxBench, liveSendBench, batchBench, uploadBench, scalingBench, memoryBench, bundleBench, cacheBench, serverBench, h5WorkboxBench]

/** Copies everything printed into `lines` as well, for BENCHMARKS.md. */
function recordOutput(lines: string[]): void {
  const print = console.log.bind(console)
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '))
    print(...args)
  }
}

async function main(filters: readonly string[]): Promise<void> {
  const chosen = sections.filter((section) => filters.length === 0 || filters.some((filter) => section.name.includes(filter)))
  if (chosen.length === 0) throw new Error(`no bench section matches ${filters.join(', ')}; known: ${sections.map((s) => s.name).join(', ')}`)
  const startedAt = new Date()
  const lines: string[] = []
  recordOutput(lines)
  console.log(`miniprogram-offline benchmarks (Node ${process.version}, emulated WeChat storage)`)
  for (const section of chosen) {
    console.log(`\n## ${section.name}: ${section.description}`)
    const start = Date.now()
    await section.run()
    console.log(`\n(${section.name}: ${((Date.now() - start) / 1000).toFixed(1)} s)`)
  }
  // Only a full run speaks for the whole SDK.
  if (filters.length === 0) writeBenchmarksReport(lines.join('\n'), startedAt)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
