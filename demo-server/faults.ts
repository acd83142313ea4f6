/**
 * Injected faults: latency, 5xx answers and lost answers, decided by a seeded
 * PRNG so that the same sequence of requests meets the same faults on every
 * run (the field day must be repeatable).
 */

/** The knobs, all changeable at run time through `DemoServer.setFaults`. */
export interface FaultKnobs {
  /** Milliseconds every answer waits (for a new write: while its key is in progress). Default 0. */
  latencyMs: number
  /** Chance (0..1) that a request is answered 503 instead of being applied. Default 0. */
  failureRate: number
  /** Chance (0..1) that a request is applied, then its connection destroyed: the answer is lost. Default 0. */
  dropRate: number
  /**
   * Whether GETs meet injected failures and drops too. Default false: the
   * knobs are about exactly-once delivery of writes, and a field day usually
   * wants its precache to succeed.
   */
  faultReads: boolean
}

/** What the dice decided for one request. */
export interface FaultDraw {
  /** Answer 503 instead of applying. */
  fail: boolean
  /** Apply, then destroy the connection without answering. */
  drop: boolean
}

/** The seed used when none is given, so runs are deterministic by default. */
export const DEFAULT_SEED = 0x5eed

/**
 * mulberry32: a tiny, fast 32-bit PRNG, good enough to spread faults and,
 * unlike `Math.random`, seedable.
 *
 * @returns a function giving numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function checkRate(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`${name} must be a number from 0 to 1, got ${value}`)
  return value
}

function checkLatency(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`latencyMs must be a non-negative number, got ${value}`)
  return value
}

/** The current knobs and the dice. */
export class Faults {
  private knobs: FaultKnobs = { latencyMs: 0, failureRate: 0, dropRate: 0, faultReads: false }
  private readonly random: () => number

  constructor(seed: number = DEFAULT_SEED, initial: Partial<FaultKnobs> = {}) {
    this.random = mulberry32(seed)
    this.set(initial)
  }

  /** Changes some knobs; the others keep their values. Throws `RangeError` on a bad value, changing nothing. */
  set(changes: Partial<FaultKnobs>): void {
    const next = { ...this.knobs }
    if (changes.latencyMs !== undefined) next.latencyMs = checkLatency(changes.latencyMs)
    if (changes.failureRate !== undefined) next.failureRate = checkRate('failureRate', changes.failureRate)
    if (changes.dropRate !== undefined) next.dropRate = checkRate('dropRate', changes.dropRate)
    if (changes.faultReads !== undefined) next.faultReads = changes.faultReads
    this.knobs = next
  }

  /** A copy of the current knobs. */
  get(): FaultKnobs {
    return { ...this.knobs }
  }

  /**
   * Rolls the dice for one request. Both dice are always rolled, whatever the
   * rates, so changing one rate does not shift the other's sequence.
   */
  draw(): FaultDraw {
    const fail = this.random() < this.knobs.failureRate
    const drop = this.random() < this.knobs.dropRate
    return { fail, drop }
  }
}
