import { noShapes, type ActionRecord, type Observation, type PendingSnapshot, type Snapshot } from './observation'
import { checkInvariants } from './invariants'
import { printable, type DayOptions, type UserAction } from './model'
import type { Application, Arrival } from './server-script'

/**
 * The invariants must fail when the property they state is broken: each
 * test below breaks one, by hand, in an otherwise clean observation, and
 * expects the checker to name it. (A checker that never complains would let
 * the chaos suite pass whatever the SDK did.)
 */

/** The right time when the day's actions were made. */
const T0 = Date.UTC(2026, 10, 30, 9)
const OPTIONS: DayOptions = { concurrency: 1, blockOnDeadLetter: false, refreshAuth: false, serverLatencyMs: 0, startOnline: true }

function action(id: string, lane = '', kind: UserAction['kind'] = 'request', outcome: ActionRecord['outcome'] = 'queued'): ActionRecord {
  const userAction: UserAction =
    kind === 'request' ? { kind, lane, answers: [] } : kind === 'upload' ? { kind, lane, answers: [], photoBytes: 100 } : { kind, lane, answers: [], photos: [100] }
  const steps: ActionRecord['steps'] = kind === 'request' ? ['request'] : kind === 'upload' ? ['photo'] : ['photo', 'request']
  return {
    id,
    tag: `d.${id}`,
    action: userAction,
    steps,
    order: Number(id.slice(1)),
    outcome,
    entryId: `e-${id}`,
    applicationsAtReturn: 0,
    user: 1,
    logoutsAtCall: 0,
    logoutsAtReturn: 0,
    rightTimeAtCall: T0,
    skewedAtCall: false,
  }
}

function applied(order: number, id: string, step = 0, status = 200, key = `k-${id}`): Application {
  return { order, tag: `d.${id}`, step, key, path: '/records', status, payloadOk: true }
}

function arrival(id: string, user = 1, logouts = 0, step = 0): Arrival {
  return { tag: `d.${id}`, step, authorization: `Bearer u${user}.t1`, logouts }
}


function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    where: 'after a last cold start',
    pending: [],
    status: { pending: 0, deadLetters: 0 },
    files: [],
    usage: { storageBytes: 100, storageBudgetBytes: 1000, fileBytes: 0, fileBudgetBytes: 1000 },
    storageBytesInStorage: 100,
    userFileBytes: 0,
    afterColdStart: true,
    reads: undefined,
    wipes: 0,
    wipeUnnoticed: false,
    ...extra,
  }
}

/** Two requests in one lane, both delivered in order: every invariant holds. */
function clean(): Observation {
  return {
    day: printable({ options: OPTIONS, ops: [] }),
    dayTag: 'd',
    actions: [action('a1'), action('a2')],
    ledger: [applied(1, 'a1'), applied(2, 'a2')],
    requestsWithoutKey: 0,
    events: [],
    deadLetterSightings: new Set(),
    discarded: new Set(),
    readBodiesGiven: new Map(),
    readCounts: { networkReads: 0, manifestUpdates: 0 },
    snapshots: [snapshot()],
    drained: true,
    problems: [],
    trace: [],
    starts: 1,
    kills: 0,
    arrivals: [arrival('a1'), arrival('a2')],
    wipes: [],
    longestDrainWaitMs: 0,
    shapes: noShapes(),
  }
}

function pendingItem(id: string, extra: Partial<PendingSnapshot> = {}): PendingSnapshot {
  return { entryId: `e-${id}`, tag: `d.${id}`, state: 'pending', lane: '', done: 0, total: 1, ...extra }
}

test('a clean day has no violations', () => {
  expect(checkInvariants(clean())).toEqual([])
})

describe('exactly once', () => {
  test('an action applied under two keys (a retried dead letter sent twice)', () => {
    const day = clean()
    day.deadLetterSightings.add('d.a1')
    day.ledger.push(applied(3, 'a1', 0, 200, 'k-a1-retry'))
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a1 step 0 was applied 2 times/)])
  })

  test('a task step applied before the step it follows', () => {
    const day = clean()
    day.actions = [action('a1', '', 'task')]
    day.ledger = [applied(1, 'a1', 1, 200, 'k:1'), applied(2, 'a1', 0, 200, 'k:0')]
    expect(checkInvariants(day)).toContainEqual(expect.stringMatching(/a1 step 1 reached the server \(#1\) before step 0 succeeded/))
  })

  test('a request without an idempotency key, or a payload the server could not match', () => {
    const day = clean()
    day.requestsWithoutKey = 1
    day.ledger[0] = { ...day.ledger[0], payloadOk: false, payloadProblem: 'photo of step 0 is not byte-exact' }
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/without an Idempotency-Key/), expect.stringMatching(/a1 step 0 \(#1\): photo of step 0 is not byte-exact/)])
  })
})

describe('nothing accepted is lost', () => {
  test('an accepted action that vanished without an event', () => {
    const day = clean()
    day.ledger = [applied(2, 'a2')]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a1 was accepted \(queued\) but is gone from the outbox, without an expired or superseded event/)])
  })

  test('is accounted for by an expired event, a dead letter, a discard or a superseded event', () => {
    const expired = clean()
    expired.ledger = [applied(2, 'a2')]
    expired.events = [{ name: 'expired', tag: 'd.a1', entryId: 'e-a1', instance: 1, wallTime: T0 + 8 * 24 * 3_600_000, rightTime: T0 + 8 * 24 * 3_600_000 }]
    expect(checkInvariants(expired)).toEqual([])

    const dead = clean()
    dead.ledger = [applied(2, 'a2')]
    dead.snapshots = [snapshot({ pending: [pendingItem('a1', { state: 'deadLetter' })], status: { pending: 0, deadLetters: 1 } })]
    expect(checkInvariants(dead)).toEqual([])

    const discarded = clean()
    discarded.ledger = [applied(2, 'a2')]
    discarded.discarded.add('d.a1')
    expect(checkInvariants(discarded)).toEqual([])
  })

  test('an entry still pending after the drain (not held behind a blocking dead letter)', () => {
    const day = clean()
    day.ledger = [applied(1, 'a1')]
    day.snapshots = [snapshot({ pending: [pendingItem('a2')], status: { pending: 1, deadLetters: 0 } })]
    day.drained = false
    expect(checkInvariants(day)).toEqual([
      expect.stringMatching(/^a2 was accepted \(queued\) but is still pending in the outbox after the drain/),
      'the outbox did not drain on good wifi: entries free to move are still pending',
    ])
  })

  test("a call that threw QuotaExceededError kept nothing: it must not reach the server later", () => {
    const day = clean()
    day.actions[1] = { ...day.actions[1], outcome: 'refused', error: 'QuotaExceededError: full', applicationsAtReturn: 1 }
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a2 was refused \(QuotaExceededError: full\) yet reached the server afterwards/)])
  })

  test("'sent' means the server has it", () => {
    const day = clean()
    day.actions[0] = { ...day.actions[0], outcome: 'sent' }
    day.ledger = [applied(2, 'a2')]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a1 resolved 'sent' but the server never applied it/)])
  })

  test('a problem the run met (a hung call, an unhandled rejection) fails the day', () => {
    const day = clean()
    day.problems.push('unhandled rejection: QuotaExceededError: ...')
    expect(checkInvariants(day)).toEqual(['unhandled rejection: QuotaExceededError: ...'])
  })
})

describe('order within a lane', () => {
  test('a later action of the same lane arriving first', () => {
    const day = clean()
    day.ledger = [applied(1, 'a2'), applied(2, 'a1')]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^lane "": a2 reached the server \(#1\) before a1, called earlier, was through \(#2\)/)])
  })

  test('holds only within a lane, and a dead letter may be overtaken', () => {
    const lanes = clean()
    lanes.actions = [action('a1', 'visit:1'), action('a2', 'visit:2')]
    lanes.ledger = [applied(1, 'a2'), applied(2, 'a1')]
    expect(checkInvariants(lanes)).toEqual([])

    const dead = clean()
    dead.ledger = [applied(1, 'a2'), applied(2, 'a1')]
    dead.deadLetterSightings.add('d.a1')
    expect(checkInvariants(dead)).toEqual([])
  })
})

describe('files and usage', () => {
  test('a kept file without its entry, and an entry without its file', () => {
    const day = clean()
    day.actions = [action('a1', '', 'upload'), action('a2', '', 'upload')]
    day.ledger = [applied(1, 'a1')]
    day.snapshots = [
      snapshot({
        pending: [pendingItem('a2')],
        status: { pending: 1, deadLetters: 0 },
        files: [{ name: 'e-a1.0.jpg', bytes: 100 }],
        usage: { storageBytes: 100, storageBudgetBytes: 1000, fileBytes: 100, fileBudgetBytes: 1000 },
        userFileBytes: 100,
      }),
    ]
    const violations = checkInvariants(day)
    expect(violations).toContainEqual(expect.stringMatching(/kept file e-a1\.0\.jpg belongs to no entry/))
    expect(violations).toContainEqual(expect.stringMatching(/a2 \(pending\) has lost the kept file of its step 0/))
  })

  test('usage over budget, or not what storage and the disk hold', () => {
    const day = clean()
    day.snapshots = [
      snapshot({
        usage: { storageBytes: 1200, storageBudgetBytes: 1000, fileBytes: 50, fileBudgetBytes: 40 },
        storageBytesInStorage: 1300,
        userFileBytes: 70,
      }),
    ]
    expect(checkInvariants(day)).toEqual([
      expect.stringMatching(/storage usage 1200 B exceeds its budget 1000 B/),
      expect.stringMatching(/file usage 50 B exceeds its budget 40 B/),
      expect.stringMatching(/usage\(\) says 1200 storage bytes but the SDK's keys take 1300 B/),
      expect.stringMatching(/usage\(\) says 50 file bytes but the SDK folder holds 0 B/),
      expect.stringMatching(/user files take 70 B, the outbox folder 0 B and the read cache 0 B/),
    ])
  })

  test('status counts that disagree with pending(), and an action stored twice', () => {
    const day = clean()
    day.ledger = [applied(1, 'a1')]
    day.actions[1] = { ...day.actions[1], outcome: 'killed' }
    day.snapshots = [snapshot({ pending: [pendingItem('a2'), pendingItem('a2', { entryId: 'e-copy' })], status: { pending: 1, deadLetters: 0 } })]
    const violations = checkInvariants(day)
    expect(violations).toContainEqual(expect.stringMatching(/status says 1 pending and 0 dead letters, pending\(\) lists 2 and 0/))
    expect(violations).toContainEqual(expect.stringMatching(/a2 is in the outbox 2 times/))
  })
})

describe('reads', () => {
  const reads = (extra: Partial<NonNullable<Snapshot['reads']>> = {}): Snapshot['reads'] => ({
    manifestVersion: undefined,
    precache: [],
    cached: [],
    mustBeCached: [],
    precacheFolders: [],
    cacheFiles: [],
    cacheStorageBytes: 0,
    ...extra,
  })

  test('a cached copy that is not one whole answer, or that was lost', () => {
    const day = clean()
    day.readBodiesGiven = new Map([['/api/r0', new Set(['{"path":"/api/r0","rev":1}'])]])
    day.snapshots = [snapshot({ reads: reads({ cached: [{ path: '/api/r0', body: '{"path":"/api/r0","rev":2' }, { path: '/api/r1', body: undefined }], mustBeCached: ['/api/r1'] }) })]
    expect(checkInvariants(day)).toEqual([
      expect.stringMatching(/the cached copy of \/api\/r0 is .*, which the server never gave/),
      expect.stringMatching(/the cached copy of \/api\/r1 was lost/),
    ])
  })

  test('a precached version served in part, going back, or leaving another version behind', () => {
    const day = clean()
    day.snapshots = [
      snapshot({ afterColdStart: false, reads: reads({ manifestVersion: 'v2', precache: ['v2', 'v1', 'v2'] }) }),
      snapshot({ reads: reads({ manifestVersion: 'v1', precache: ['v1', 'v1', 'v1'], precacheFolders: ['precache-1', 'precache-2'] }) }),
    ]
    expect(checkInvariants(day)).toEqual([
      expect.stringMatching(/version v2 is served, but its resources are served as v2, v1, v2/),
      expect.stringMatching(/serving v1, the read cache keeps the folders precache-1, precache-2/),
      expect.stringMatching(/the precache serves v1 after it served v2/),
    ])
  })
})

describe('users and logout', () => {
  test("a request of user 1's action carrying user 2's Authorization", () => {
    const day = clean()
    day.arrivals[1] = arrival('a2', 2)
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a2 step 0 \(made by user 1\) reached the server with user 2's Authorization/)])
  })

  test('a request without Authorization', () => {
    const day = clean()
    day.arrivals[0] = { ...arrival('a1'), authorization: undefined }
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a1 step 0 \(made by user 1\) reached the server with Authorization undefined/)])
  })

  test('an action made before a logout, sent after it', () => {
    const day = clean()
    day.shapes.logouts = 1
    day.arrivals[1] = arrival('a2', 1, 1)
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a2 step 0 \(made by user 1\) was sent after logout #1/)])
  })

  test('what a logout cleared is accounted for, but may not stay in the outbox', () => {
    const cleared = clean()
    cleared.shapes.logouts = 1
    cleared.ledger = [applied(1, 'a1')]
    cleared.arrivals = [arrival('a1')]
    expect(checkInvariants(cleared)).toEqual([])

    const kept = clean()
    kept.shapes.logouts = 1
    kept.ledger = [applied(1, 'a1')]
    kept.arrivals = [arrival('a1')]
    kept.snapshots = [snapshot({ pending: [pendingItem('a2')], status: { pending: 1, deadLetters: 0 } })]
    expect(checkInvariants(kept)).toContainEqual(expect.stringMatching(/^a2 \(queued\) was made before a logout yet is pending in the outbox after the drain/))
  })

  test("a withdrawn call's entry may not stay in the outbox", () => {
    const day = clean()
    day.shapes.logouts = 1
    day.actions[1] = { ...day.actions[1], outcome: 'withdrawn' }
    day.snapshots = [snapshot({ pending: [pendingItem('a2')], status: { pending: 1, deadLetters: 0 } })]
    expect(checkInvariants(day)).toContainEqual(expect.stringMatching(/^a2 \(withdrawn\) was made before a logout yet is pending/))
  })

  test("a call a logout interrupted may not promise a later send ('queued')", () => {
    const day = clean()
    day.shapes.logouts = 1
    day.actions[1] = { ...day.actions[1], logoutsAtReturn: 1 }
    day.ledger = [applied(1, 'a1')]
    day.arrivals = [arrival('a1')]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a2 resolved 'queued' though a logout came during the call/)])
  })

  test('lane order holds between actions of one user only', () => {
    const day = clean()
    day.actions[1] = { ...day.actions[1], logoutsAtCall: 1, user: 2 }
    day.arrivals = [arrival('a1'), arrival('a2', 2, 1)]
    day.shapes.logouts = 1
    day.ledger = [applied(1, 'a2'), applied(2, 'a1')]
    expect(checkInvariants(day)).toEqual([])
  })
})

describe('kills on the wire', () => {
  test('a call killed after its entry was stored must be delivered', () => {
    const day = clean()
    day.actions[1] = { ...day.actions[1], outcome: 'killed' }
    day.ledger = [applied(1, 'a1'), { ...applied(2, 'a2'), status: 503 }]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a2 was killed during the call after its entry was stored but is gone from the outbox/)])
  })

  test('a call killed before anything was stored is not accepted', () => {
    const day = clean()
    day.actions[1] = { ...day.actions[1], outcome: 'killed' }
    day.ledger = [applied(1, 'a1')]
    day.arrivals = [arrival('a1')]
    expect(checkInvariants(day)).toEqual([])
  })
})

describe('clocks', () => {
  const hour = 3_600_000
  test('an entry made while the clock read 1970 that expired before retention really passed', () => {
    const day = clean()
    day.ledger = [applied(2, 'a2')]
    day.actions[0] = { ...day.actions[0], skewedAtCall: true }
    day.events = [{ name: 'expired', tag: 'd.a1', entryId: 'e-a1', instance: 1, wallTime: T0 + hour, rightTime: T0 + hour }]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/^a1 expired after 60 min of its 10080 min retention \(the phone clock was wrong when it was made\)/)])
  })

  test('an expiry after retention passed, by the clock the phone shows now, is fine', () => {
    const day = clean()
    day.ledger = [applied(2, 'a2')]
    day.events = [{ name: 'expired', tag: 'd.a1', entryId: 'e-a1', instance: 1, wallTime: T0 + 365 * 24 * hour, rightTime: T0 + hour }]
    expect(checkInvariants(day)).toEqual([])
  })
})

describe('host app wiping storage', () => {
  const wiped = (instance: number, starts: number, lost: string[] | undefined): Observation => {
    const day = clean()
    day.ledger = [applied(2, 'a2')]
    day.starts = starts
    day.wipes = [{ instance, eventsBefore: 0, entries: [{ entryId: 'e-a1', tag: 'd.a1' }] }]
    day.events = lost === undefined ? [] : [{ name: 'storageLost', tag: undefined, entryId: lost[0] ?? '', ids: lost, instance, wallTime: T0, rightTime: T0 }]
    return day
  }

  test('an entry the wipe took is accounted for once storageLost names it', () => {
    expect(checkInvariants(wiped(1, 2, ['e-a1']))).toEqual([])
  })

  test('the app died before it could notice: nothing to name', () => {
    expect(checkInvariants(wiped(1, 2, undefined))).toEqual([])
  })

  test('the SDK noticed the wipe but did not name the entry', () => {
    expect(checkInvariants(wiped(1, 2, []))).toEqual([expect.stringMatching(/^a1 was accepted \(queued\) but is gone from the outbox.*without a storageLost event naming it/)])
  })

  test('the start that was wiped lived on and never said so', () => {
    expect(checkInvariants(wiped(2, 2, undefined))).toEqual([expect.stringMatching(/without a storageLost event naming it/)])
  })

  test('usage may lag a wipe the SDK has not looked at yet, never after', () => {
    const day = clean()
    day.snapshots = [snapshot({ storageBytesInStorage: 0, wipeUnnoticed: true, afterColdStart: false }), snapshot({ storageBytesInStorage: 0 })]
    expect(checkInvariants(day)).toEqual([expect.stringMatching(/after a last cold start: usage\(\) says 100 storage bytes but the SDK's keys take 0 B/)])
  })
})
