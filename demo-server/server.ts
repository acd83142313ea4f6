/**
 * `startDemoServer()`: the demo's reference server on Node's `http`, with
 * its SQLite database and photo files in one data directory.
 *
 * @example
 * ```ts
 * const server = await startDemoServer({ dropRate: 0.2, seed: 7 })
 * // ... run the SDK against `${server.url}/visits` ...
 * expect(server.db.counts().visits).toBe(10)
 * expect(server.stats().repeatsReplayed).toBeGreaterThan(0)
 * await server.close()
 * ```
 */
import { promises as fs } from 'fs'
import * as http from 'http'
import type { AddressInfo } from 'net'
import * as os from 'os'
import * as path from 'path'
import { IDEMPOTENCY_TABLE, openDatabase, type DemoDatabase } from './database'
import { DEFAULT_SEED, Faults, type FaultKnobs } from './faults'
import { DEFAULT_KEY_HEADER, DEFAULT_RETENTION_MS, createIdempotency, sqliteStore } from '../sdk/server'
import { Naps } from './naps'
import { requestHash, type Payload } from './payload'
import { createRequestHandler } from './request-handler'
import { Router } from './router'
import { ROUTES } from './routes'
import { PHOTOS_DIR, removeOrphanPhotos } from './routes/photos'
import { emptyStats, type DemoServerStats } from './stats'

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** The port; 0 (the default) takes a free one. */
  port?: number
  /** The interface to listen on. Default `127.0.0.1`. */
  host?: string
  /**
   * Where the SQLite file (`demo.sqlite`) and the photos (`photos/`) live.
   * Default: a new temp directory, removed by `close()`. Pass the same
   * directory to a new server to restart on the same data.
   */
  dataDir?: string
  /** Milliseconds every answer waits; a new write waits with its key in progress. Default 0. */
  latencyMs?: number
  /** Chance (0..1) that a request is answered 503 before it is applied. Default 0. */
  failureRate?: number
  /** Chance (0..1) that a request is applied, then its connection destroyed instead of answered. Default 0. */
  dropRate?: number
  /** Whether GETs meet `failureRate` and `dropRate` too. Default false. */
  faultReads?: boolean
  /** Seed of the PRNG behind `failureRate` and `dropRate`. Default {@link DEFAULT_SEED}: runs are repeatable unless told otherwise. */
  seed?: number
  /** Receives one line per request (and start-up notes). Default: silent. */
  log?: (line: string) => void
  /** How long a finished key is remembered, from its first arrival. Default `DEFAULT_RETENTION_MS` of `miniprogram-offline/server` (8 days). */
  keyRetentionMs?: number
  /** The request header carrying the key. Default `Idempotency-Key` (match the SDK's `idempotencyHeader`). */
  idempotencyHeader?: string
}

/** Read access to the server's database, for checks. Read before `close()`. */
export type DemoServerDb = Pick<DemoDatabase, 'counts' | 'visits' | 'statusChanges' | 'photos' | 'deliveries' | 'idempotencyRows' | 'sqlite'>

/** What the start-up clean-up found. */
export interface StartupReport {
  /** In-progress keys left by an earlier process that died mid-request, released (nothing of them was applied). */
  releasedClaims: number
  /** Finished keys older than the retention, forgotten. */
  purgedKeys: number
  /** Photo files no row names (a crash between writing the bytes and committing the row), removed. */
  removedOrphans: string[]
}

/** A running demo server. */
export interface DemoServer {
  /** `http://<host>:<port>`, no trailing slash. */
  readonly url: string
  readonly port: number
  /** The data directory in use. */
  readonly dataDir: string
  /** The database, for checks. */
  readonly db: DemoServerDb
  /** What the start-up clean-up did. */
  readonly startup: StartupReport
  /** Changes fault knobs at run time (e.g. a 5xx burst); the others keep their values. Throws `RangeError` on a bad value. */
  setFaults(changes: Partial<FaultKnobs>): void
  /** The current fault knobs. */
  faults(): FaultKnobs
  /** A copy of the counters. */
  stats(): DemoServerStats
  /**
   * Stops listening and destroys open connections. A request caught in the
   * middle stops as a crash would: nothing of it is committed, and the next
   * start on the same data directory releases its key. Removes the data
   * directory if the server created it.
   */
  close(): Promise<void>
}

/** How often finished keys past their retention are purged while running. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000

/** How long `close()` waits for requests caught mid-way to stop. */
const CLOSE_GRACE_MS = 5000

function checkOptions(options: DemoServerOptions): void {
  const { port, keyRetentionMs, idempotencyHeader } = options
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`)
  if (keyRetentionMs !== undefined && (!Number.isFinite(keyRetentionMs) || keyRetentionMs < 0)) {
    throw new RangeError(`keyRetentionMs must be a non-negative number, got ${keyRetentionMs}`)
  }
  if (idempotencyHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(idempotencyHeader)) throw new RangeError(`idempotencyHeader is not a header name: ${idempotencyHeader}`)
}

/**
 * Starts the demo server: opens (or creates) the database in the data
 * directory, releases abandoned claims, purges expired keys, removes orphan
 * photo files, then listens.
 *
 * @throws `RangeError` for a bad option; the listen error (e.g. `EADDRINUSE`).
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  checkOptions(options)
  const faults = new Faults(options.seed ?? DEFAULT_SEED, {
    latencyMs: options.latencyMs,
    failureRate: options.failureRate,
    dropRate: options.dropRate,
    faultReads: options.faultReads,
  })
  const log = options.log ?? ((): void => undefined)
  const retentionMs = options.keyRetentionMs ?? DEFAULT_RETENTION_MS
  const ownsDataDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'demo-server-')))
  await fs.mkdir(path.join(dataDir, PHOTOS_DIR), { recursive: true })

  const db = openDatabase(dataDir)
  const store = sqliteStore(db.sqlite, { table: IDEMPOTENCY_TABLE })
  const keyHeader = options.idempotencyHeader ?? DEFAULT_KEY_HEADER
  const idempotency = createIdempotency({
    store,
    header: keyHeader,
    retentionMs,
    // Purged at start and by the hourly timer below.
    purgeIntervalMs: 0,
    // A key is unique across routes here: reusing it on another path is 422, as in Stripe.
    scopeToRoute: false,
    // The payload's meaning, not its bytes: multipart files by hash, JSON canonical (see payload.ts).
    fingerprint: (input) => requestHash(input.method, input.path, input.body as Payload),
  })
  const stats = emptyStats()
  const naps = new Naps()
  const inFlight = new Set<Promise<void>>()
  let closing = false
  let server: http.Server | undefined
  let purgeTimer: ReturnType<typeof setInterval> | undefined

  const purge = (): Promise<number> => idempotency.purgeExpired()

  try {
    const startup: StartupReport = {
      // One server owns this database: claims left by an earlier process died with it, and in
      // transactional mode nothing of them was applied, so their retries need not wait out the lease.
      releasedClaims: store.releaseInProgress(),
      purgedKeys: await purge(),
      removedOrphans: await removeOrphanPhotos(dataDir, new Set(db.photos().map((photo) => photo.path))),
    }
    if (startup.releasedClaims + startup.purgedKeys + startup.removedOrphans.length > 0) {
      log(`start-up: released ${startup.releasedClaims} abandoned claims, purged ${startup.purgedKeys} expired keys, removed ${startup.removedOrphans.length} orphan photos`)
    }

    const handle = createRequestHandler({
      router: new Router(ROUTES),
      context: { db, dataDir },
      idempotency,
      faults,
      stats,
      naps,
      log,
      keyHeader: keyHeader.toLowerCase(),
      isClosing: () => closing,
    })
    const listening = http.createServer((request, response) => {
      const work = handle(request, response)
      inFlight.add(work)
      void work.finally(() => inFlight.delete(work))
    })
    server = listening
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject)
      listening.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        listening.off('error', reject)
        resolve()
      })
    })
    purgeTimer = setInterval(() => {
      purge().then(
        (purged) => purged > 0 && log(`purged ${purged} expired idempotency keys`),
        (error: unknown) => log(`purge failed: ${String(error)}`),
      )
    }, PURGE_INTERVAL_MS)
    purgeTimer.unref()

    const { port, address } = listening.address() as AddressInfo
    const host = address.includes(':') ? `[${address}]` : address
    let closed: Promise<void> | undefined

    return {
      url: `http://${host}:${port}`,
      port,
      dataDir,
      db,
      startup,
      setFaults: (changes) => faults.set(changes),
      faults: () => faults.get(),
      stats: () => ({ ...stats }),
      close: () => {
        closed ??= (async () => {
          closing = true
          clearInterval(purgeTimer)
          naps.wakeAll()
          const stopped = new Promise<void>((resolve) => listening.close(() => resolve()))
          listening.closeAllConnections()
          await stopped
          await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())])
          db.close()
          if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true })
        })()
        return closed
      },
    }
  } catch (error) {
    closing = true
    clearInterval(purgeTimer)
    server?.close()
    db.close()
    if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true })
    throw error
  }
}
