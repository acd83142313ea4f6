import type { DayOptions, FailureAnswer, Op } from './model'

/**
 * The write paths whose every write is a crash point, each as a small field
 * day: `setup` brings the phone to the state before the path (no crash
 * there), `act` runs the path. The enumeration (crash-points.test.ts) counts
 * the writes W of `act`, then for each k in 1..W plays the day with the app
 * killed at write k of `act`, restarts, drains and checks the chaos suite's
 * invariants.
 *
 * The read side's paths (a cache update by `offline.get`, a precache version
 * swap by `offline.manifest`) are checked by the same invariants: the copy
 * served after the crash is the old or the new one, whole, and nothing of
 * another version is left once the app has started again.
 */
export interface CrashPath {
  /** As printed in the summary line. */
  name: string
  options: DayOptions
  setup: Op[]
  act: Op[]
}

/** Offline at first, one lane at a time, no latency: every path replays the same way each time. */
const QUIET: DayOptions = { concurrency: 1, blockOnDeadLetter: false, refreshAuth: false, serverLatencyMs: 0, startOnline: false }

const request = (answers: FailureAnswer[] = [], extra: { dedupeKey?: string; lane?: string } = {}): Op => ({
  kind: 'request',
  lane: extra.lane ?? '',
  dedupeKey: extra.dedupeKey,
  answers,
})

export function crashPaths(): CrashPath[] {
  return [
    {
      name: 'push',
      options: QUIET,
      setup: [request(), request()],
      act: [request()],
    },
    {
      name: 'dedupe push',
      options: QUIET,
      setup: [request(), request([], { dedupeKey: 'status:1' })],
      act: [request([], { dedupeKey: 'status:1' })],
    },
    {
      name: 'live send delivered',
      options: { ...QUIET, startOnline: true },
      setup: [request()],
      act: [request()],
    },
    {
      name: 'live send refused',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [request([422])],
    },
    {
      name: 'live dedupe send',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [request([], { dedupeKey: 'status:1' })],
    },
    {
      name: 'live send falling back to the outbox',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [request([503])],
    },
    {
      name: 'batched replay',
      options: { ...QUIET, batch: true },
      setup: [request(), request([], { lane: 'visit:1' }), request([], { dedupeKey: 'status:1' })],
      act: [{ kind: 'online' }],
    },
    {
      name: 'batched replay stopping a lane',
      options: { ...QUIET, batch: true },
      setup: [request(), request([503]), request(), request([], { lane: 'visit:1' }), request([422], { lane: 'visit:2' })],
      act: [{ kind: 'online' }],
    },
    {
      name: 'replay of one entry',
      options: QUIET,
      setup: [request()],
      act: [{ kind: 'online' }],
    },
    {
      name: 'retry scheduling',
      options: QUIET,
      setup: [request([503]), request()],
      act: [{ kind: 'online' }],
    },
    {
      name: 'dead-lettering',
      options: QUIET,
      setup: [request([422]), request()],
      act: [{ kind: 'online' }],
    },
    {
      name: 'dead letter retry',
      options: QUIET,
      setup: [request([422]), { kind: 'online' }],
      act: [{ kind: 'retryDeadLetters' }],
    },
    {
      name: 'task step',
      options: QUIET,
      setup: [{ kind: 'task', lane: '', answers: [], photos: [] }],
      act: [{ kind: 'online' }],
    },
    {
      name: 'upload keep',
      options: QUIET,
      setup: [{ kind: 'upload', lane: '', answers: [], photoBytes: 3000 }],
      act: [{ kind: 'upload', lane: '', answers: [], photoBytes: 2000 }],
    },
    {
      name: 'photo task keep',
      options: QUIET,
      setup: [],
      act: [{ kind: 'task', lane: '', answers: [], photos: [3000, 2000] }],
    },
    {
      name: 'photo task replay',
      options: QUIET,
      setup: [{ kind: 'task', lane: '', answers: [], photos: [3000] }],
      act: [{ kind: 'online' }],
    },
    {
      name: 'dead photo discard',
      options: QUIET,
      setup: [{ kind: 'upload', lane: '', answers: [422], photoBytes: 3000 }, { kind: 'online' }],
      act: [{ kind: 'discardDeadLetter' }],
    },
    {
      name: 'expiry',
      options: { ...QUIET, retentionMinutes: 30 },
      setup: [request(), request([], { lane: 'visit:1' })],
      act: [{ kind: 'pastRetention' }, { kind: 'online' }],
    },
    {
      name: 'cache update',
      options: { ...QUIET, startOnline: true },
      setup: [{ kind: 'read', resource: 0, strategy: 'networkFirst' }],
      act: [{ kind: 'read', resource: 0, strategy: 'networkFirst' }],
    },
    {
      name: 'manifest first install',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [{ kind: 'manifest' }],
    },
    {
      name: 'manifest swap',
      options: { ...QUIET, startOnline: true },
      setup: [{ kind: 'manifest' }],
      act: [{ kind: 'manifest' }],
    },
    {
      name: 'live upload',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [{ kind: 'upload', lane: '', answers: [], photoBytes: 2000 }],
    },
    {
      name: 'live photo task',
      options: { ...QUIET, startOnline: true },
      setup: [],
      act: [{ kind: 'task', lane: '', answers: [], photos: [1500] }],
    },
    {
      name: 'live send while its page navigates',
      options: { ...QUIET, startOnline: true },
      setup: [{ kind: 'navigate', whileSending: true }],
      act: [request()],
    },
    {
      name: 'logout clearing the outbox',
      options: QUIET,
      setup: [request(), request([], { lane: 'visit:1' }), { kind: 'upload', lane: '', answers: [], photoBytes: 1000 }],
      act: [{ kind: 'logout', whileSending: false }],
    },
    {
      name: 'host wipe noticed at show',
      options: QUIET,
      setup: [request(), { kind: 'upload', lane: 'visit:1', answers: [], photoBytes: 1000 }],
      act: [{ kind: 'wipeStorage', thenShow: true }],
    },
    {
      name: 'expiry of a dedupe-keyed entry',
      options: { ...QUIET, retentionMinutes: 30 },
      setup: [request([], { dedupeKey: 'status:1' })],
      act: [{ kind: 'pastRetention' }, { kind: 'online' }],
    },
  ]
}
