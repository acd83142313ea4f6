/**
 * The durable store's costs as the backlog grows: storage writes and bytes
 * written per put of a 1 KB value, with 10, 1,000 and 10,000 values already
 * stored, and the time to open a store of 10,000 values, alone and with a
 * second store (as a client opens its outbox and read cache), from one
 * listing or two. Next to each, the naive single-key baseline
 * (`naive-baseline.ts`), with the ratio.
 *
 * Measured on the emulator (`emu.faults.writes`, `emu.storage.bytesWritten`,
 * UTF-8 bytes of key names plus JSON values, as WeChat counts them).
 */
import { createRuntimeStorage } from '../sdk/platform/runtime-storage'
import type { PlatformStorage } from '../sdk/platform/platform'
import { DurableStore } from '../sdk/store'
import { createWxEmulator, type WxEmulator } from '../sdk/testing'
import { median, printTable, timeMs, type BenchSection, type Cell } from './bench-section'
import { NaiveSingleKeyStore } from './naive-baseline'

const MIB = 1024 * 1024
const BACKLOGS = [10, 1000, 10000]
/** Puts averaged per measurement; fewer for the baseline at 10,000, where each put rewrites ~10 MB. */
const PUTS = 100
const BASELINE_PUTS_AT_10K = 10
const OPEN_RUNS = 5

const TARGET_VALUE_BYTES = 1000

/** A visit record of exactly 1,000 bytes of JSON (UTF-8), with some Chinese as real data has. */
function visit(i: number): { id: string; customer: string; at: number; notes: string; tags: string[] } {
  const value = { id: `v-${i}`, customer: `客户 ${i % 97}`, at: 1_700_000_000_000 + i * 60_000, notes: '', tags: ['sales', 'east'] }
  let room = TARGET_VALUE_BYTES - Buffer.byteLength(JSON.stringify(value), 'utf8')
  const phrase = `第${i}次拜访：客户对新产品感兴趣，约定下周再联系。Visit ${i}: follow up next week. `
  for (let at = 0; room > 0; at = (at + 1) % phrase.length) {
    const char = phrase[at]
    const bytes = Buffer.byteLength(char, 'utf8')
    value.notes += bytes <= room ? char : '.'
    room -= bytes <= room ? bytes : 1
  }
  return value
}

const VALUE_BYTES = Buffer.byteLength(JSON.stringify(visit(0)), 'utf8') // TARGET_VALUE_BYTES

/** Emulated WeChat storage with room for the bench: 64 MiB in all, and (for the baseline) per key. */
function roomyEmulator(): { emu: WxEmulator; storage: PlatformStorage } {
  const emu = createWxEmulator({ storage: { maxTotalBytes: 64 * MIB, maxItemBytes: 64 * MIB } })
  return { emu, storage: createRuntimeStorage(emu.wx) }
}

interface PutCost {
  writes: number
  bytes: number
  ms: number
}

function measurePuts(emu: WxEmulator, count: number, put: (i: number) => void): PutCost {
  const writes = emu.faults.writes
  const bytes = emu.storage.bytesWritten
  const ms = timeMs(() => {
    for (let i = 0; i < count; i++) put(i)
  })
  return { writes: (emu.faults.writes - writes) / count, bytes: (emu.storage.bytesWritten - bytes) / count, ms: ms / count }
}

interface Backlog {
  ours: PutCost
  baseline: PutCost
}

function measureBacklog(size: number): Backlog {
  const { emu, storage } = roomyEmulator()
  const store = DurableStore.open(storage, { namespace: 'bench', maxBytes: 60 * MIB })
  for (let i = 0; i < size; i++) store.put(`visit/${i}`, visit(i))
  const ours = measurePuts(emu, PUTS, (i) => store.put(`new/${i}`, visit(size + i)))

  const naive = roomyEmulator()
  const baselineStore = new NaiveSingleKeyStore(naive.storage, 'visits')
  baselineStore.putMany(Array.from({ length: size }, (_, i): [string, unknown] => [`visit/${i}`, visit(i)]))
  const puts = size >= 10000 ? BASELINE_PUTS_AT_10K : PUTS
  const baseline = measurePuts(naive.emu, puts, (i) => baselineStore.put(`new/${i}`, visit(size + i)))
  return { ours, baseline }
}

/** Counts value reads and listings, to show that opening reads no entry bodies and lists storage once. */
function countingReads(storage: PlatformStorage): { storage: PlatformStorage; reads: () => number; listings: () => number } {
  let reads = 0
  let listings = 0
  const counted: PlatformStorage = {
    get: (key) => {
      reads += 1
      return storage.get(key)
    },
    set: (key, value) => storage.set(key, value),
    remove: (key) => storage.remove(key),
    info: () => {
      listings += 1
      return storage.info()
    },
    batchGet: storage.batchGet
      ? (keys) => {
          reads += keys.length
          return storage.batchGet?.(keys) ?? []
        }
      : undefined,
  }
  return { storage: counted, reads: () => reads, listings: () => listings }
}

const OUTBOX = { namespace: 'bench', maxBytes: 60 * MIB }
const CACHE = { namespace: 'bench~cache', maxBytes: 60 * MIB }

/** Median ms and the reads and listings of the last run, each run on a new run's storage adapter. */
function timeOpens(emu: WxEmulator, open: (storage: PlatformStorage) => DurableStore[]): { ms: number; reads: number; listings: number } {
  const times: number[] = []
  let reads = 0
  let listings = 0
  // One more run than measured: the first only warms the JIT up, so rows compare like with like.
  for (let run = 0; run <= OPEN_RUNS; run++) {
    emu.restart()
    const counted = countingReads(createRuntimeStorage(emu.wx))
    let opened: DurableStore[] = []
    const ms = timeMs(() => (opened = open(counted.storage)))
    if (run > 0) times.push(ms)
    reads = counted.reads()
    listings = counted.listings()
    for (const store of opened) store.close()
  }
  return { ms: median(times), reads, listings }
}

function measureOpen(values: number): Record<string, Cell>[] {
  const { emu, storage } = roomyEmulator()
  const store = DurableStore.open(storage, OUTBOX)
  for (let i = 0; i < values; i++) store.put(`visit/${i}`, visit(i))
  store.close()
  const cache = DurableStore.open(storage, CACHE)
  for (let i = 0; i < 100; i++) cache.put(`page/${i}`, visit(i))
  cache.close()

  const naive = roomyEmulator()
  new NaiveSingleKeyStore(naive.storage, 'visits').putMany(Array.from({ length: values }, (_, i): [string, unknown] => [`visit/${i}`, visit(i)]))
  const baseline = median(Array.from({ length: OPEN_RUNS + 1 }, () => timeMs(() => new NaiveSingleKeyStore(naive.storage, 'visits'))).slice(1))

  const runs = [
    { what: 'one store', ...timeOpens(emu, (counted) => [DurableStore.open(counted, OUTBOX)]) },
    { what: 'two stores, one listing each', ...timeOpens(emu, (counted) => [DurableStore.open(counted, OUTBOX), DurableStore.open(counted, CACHE)]) },
    { what: 'two stores, openAll (one listing)', ...timeOpens(emu, (counted) => DurableStore.openAll(counted, [OUTBOX, CACHE])) },
  ]
  return runs.map((run) => ({
    open: run.what,
    'median ms': run.ms,
    'getStorageInfoSync calls': run.listings,
    'values read': run.reads,
    'naive parse ms': baseline,
    'ours/naive': run.ms / baseline,
  }))
}

function putRow(size: number, { ours, baseline }: Backlog): Record<string, Cell> {
  return {
    'values stored': size,
    'writes/put': ours.writes,
    'bytes/put': Math.round(ours.bytes),
    'bytes/value': ours.bytes / VALUE_BYTES,
    'µs/put': ours.ms * 1000,
    'baseline writes/put': baseline.writes,
    'baseline bytes/put': Math.round(baseline.bytes),
    'baseline µs/put': baseline.ms * 1000,
    'ours/baseline bytes': `${((ours.bytes / baseline.bytes) * 100).toFixed(size >= 1000 ? 3 : 1)}%`,
  }
}

export const storeBench: BenchSection = {
  name: 'store',
  description: `DurableStore: cost of a put of a ${VALUE_BYTES}-byte value as the backlog grows, and of opening a big store`,
  run() {
    const backlogs = BACKLOGS.map((size) => ({ size, result: measureBacklog(size) }))
    printTable(
      `Put of one ${VALUE_BYTES}-byte value (JSON, UTF-8) into a store already holding N values (average of ${PUTS} puts)`,
      backlogs.map(({ size, result }) => putRow(size, result)),
      [
        'bytes/put: UTF-8 bytes handed to storage (key names + JSON values); bytes/value: that over the value\'s own JSON size.',
        `baseline = every value in one key, rewritten on each put (the common approach); ${BASELINE_PUTS_AT_10K} puts averaged at 10,000.`,
        'The baseline breaks WeChat\'s 1 MB-per-key limit from about 1,000 values: the bench raises that limit so it can run at all.',
      ],
    )
    printTable(`Opening a store of 10,000 values (cold start, median of ${OPEN_RUNS})`, measureOpen(10000), [
      'The store rebuilds its index from key names (getStorageInfoSync) and reads only its format record;',
      'the second store (a read cache of 100 values) lists storage again unless both open from one listing (openAll).',
      'naive parse: the baseline reads and parses the whole collection (10,000 values) from one key. Aim: ours/naive <= 1.5.',
    ])
  },
}
