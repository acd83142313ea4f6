import type { PlatformStorage } from '../platform/platform'
import { metaKey, parseRecordKey, type ChunkName, type HeadName, type SizedKey } from './record-keys'
import type { StoredRecord } from './stored-record'

/**
 * Open-time recovery, from key names alone.
 *
 * The write protocol leaves only these states behind a crash:
 * - chunks of a put whose head was never written (orphans);
 * - two complete heads for one key (the crash came after the new head, the
 *   commit point, and before the old one was removed);
 * - chunks of a head already removed (a remove or an overwrite stopped
 *   half-way through its cleanup).
 *
 * So for each user key the newest head whose chunks are *all* present is
 * the value; every other head and chunk of the namespace is garbage. The
 * rule does not depend on how far a previous repair got, so a crash during
 * repair is repaired the same way next time.
 */
export interface StoreScan {
  /** The value of each user key. */
  records: Map<string, StoredRecord>
  /** Keys to delete: superseded or incomplete heads first, then stray chunks. */
  garbage: SizedKey[]
  /** Keys under the prefix this store did not write; never touched. */
  foreignKeys: string[]
  /** Highest generation seen in any head or chunk, garbage included, so new writes never reuse a name. */
  maxGen: number
  hasMeta: boolean
}

/** Classifies every key under `prefix`. Reads no values; linear in the number of keys. */
export function scanStorageKeys(allKeys: readonly string[], prefix: string): StoreScan {
  const meta = metaKey(prefix)
  const records = new Map<string, StoredRecord>()
  const garbage: SizedKey[] = []
  /** Keeps the newer of two complete heads of a user key; the other is garbage. */
  const offer = (head: HeadName, chunks: SizedKey[]): void => {
    const current = records.get(head.userKey)
    if (current === undefined || current.gen < head.gen) {
      if (current) garbage.push(current.head)
      records.set(head.userKey, toRecord(head, chunks))
    } else garbage.push(sized(head))
  }
  // Chunked heads wait until every chunk is known; inline ones (most values) are settled on the way.
  const chunkedHeads: HeadName[] = []
  const generations = new Map<string, ChunkName[]>()
  const foreignKeys: string[] = []
  let hasMeta = false
  let maxGen = 0
  for (const storageKey of allKeys) {
    if (typeof storageKey !== 'string' || !storageKey.startsWith(prefix)) continue
    if (storageKey === meta) {
      hasMeta = true
      continue
    }
    const name = parseRecordKey(prefix, storageKey)
    if (!name) {
      foreignKeys.push(storageKey)
      continue
    }
    if (name.gen > maxGen) maxGen = name.gen
    if (name.kind === 'chunk') listFor(generations, generationId(name.userKey, name.gen)).push(name)
    else if (name.chunkCount === 0) offer(name, NO_CHUNKS)
    else chunkedHeads.push(name)
  }
  // The newest complete head of each user key is its value; every other head is garbage.
  for (const head of chunkedHeads) {
    const chunks = completeChunks(head, generations.get(generationId(head.userKey, head.gen)))
    if (chunks) offer(head, chunks)
    else garbage.push(sized(head))
  }
  for (const generation of generations.values()) {
    const { userKey, gen } = generation[0]
    const record = records.get(userKey)
    const kept = record !== undefined && record.gen === gen ? new Set(record.chunks.map((chunk) => chunk.storageKey)) : undefined
    for (const chunk of generation) if (!kept?.has(chunk.storageKey)) garbage.push(sized(chunk))
  }
  return { records, garbage, foreignKeys, maxGen, hasMeta }
}

/** Deletes what {@link scanStorageKeys} found to be garbage. Errors propagate: the next open retries. */
export function removeGarbage(storage: PlatformStorage, garbage: readonly SizedKey[]): void {
  for (const { storageKey } of garbage) storage.remove(storageKey)
}

/** The head's chunks 0..n-1 in order, or `undefined` when one is missing. */
function completeChunks(head: HeadName, generation: readonly ChunkName[] | undefined): SizedKey[] | undefined {
  if (!generation) return undefined
  const chunks = new Array<SizedKey | undefined>(head.chunkCount)
  for (const chunk of generation) if (chunk.index < head.chunkCount) chunks[chunk.index] = sized(chunk)
  for (let index = 0; index < head.chunkCount; index++) if (!chunks[index]) return undefined
  return chunks as SizedKey[]
}

/** Shared by every inline record: nobody mutates a record's chunk list. */
const NO_CHUNKS: SizedKey[] = []

function toRecord(head: HeadName, chunks: SizedKey[]): StoredRecord {
  let bytes = head.bytes
  for (const chunk of chunks) bytes += chunk.bytes
  // The parsed name is a SizedKey already: no copy, as opening allocates per key.
  return { userKey: head.userKey, gen: head.gen, chunkCount: head.chunkCount, head, chunks, bytes }
}

function sized({ storageKey, bytes }: SizedKey): SizedKey {
  return { storageKey, bytes }
}

/** A user key and a generation, joined unambiguously (user keys have no control characters). */
function generationId(userKey: string, gen: number): string {
  return `${gen}\u0000${userKey}`
}

function listFor<V>(map: Map<string, V[]>, key: string): V[] {
  let list = map.get(key)
  if (!list) {
    list = []
    map.set(key, list)
  }
  return list
}
