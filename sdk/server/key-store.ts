/**
 * The contract between the idempotency core and a store of keys. Each call
 * is one round trip to the store, so a new key costs one before the handler
 * (`claim`) and one after (`complete`, or the commit of a transaction).
 */
import type { StoredAnswer } from './stored-answer'

/** What {@link IdempotencyStore.claim} is asked to do. */
export interface ClaimRequest {
  /** The record's id: a hash of the scope, (method and path,) and the key. */
  id: string
  /** The key as sent, kept for people reading the table. */
  key: string
  /** The request's fingerprint (method, path, body hash). */
  fingerprint: string
  /** A random token naming this attempt as the lock's holder. */
  token: string
  /** Ms since the epoch. */
  now: number
  /** How long the lock holds before another attempt may take it over. */
  leaseMs: number
}

/** What a store found when claiming. */
export type ClaimResult =
  /** The key was new (or its holder's lease ran out): the caller holds it and runs the handler. */
  | { kind: 'claimed' }
  /** A finished request: its answer is stored. */
  | { kind: 'done'; fingerprint: string; answer: StoredAnswer }
  /** Another attempt holds the key until `lockedUntil` (ms since the epoch). */
  | { kind: 'in-progress'; fingerprint: string; lockedUntil: number }

/** Where a claimed key is: finished with an answer, or to be stored with one. */
export interface HeldKey {
  id: string
  token: string
  /** Ms since the epoch at completion. */
  now: number
  /** How long a finished key is remembered. */
  retentionMs: number
}

/** The outcome of a transaction that carries the key's answer. */
export type TransactionOutcome<T> =
  /** The business write and the answer committed together. */
  | { kind: 'stored'; value: T }
  /** The work asked not to store (a 5xx): everything was rolled back. */
  | { kind: 'not-stored'; value: T }
  /** The lock was taken over by another attempt (this one outlived its lease): everything was rolled back. */
  | { kind: 'lease-lost' }

/**
 * A store of idempotency keys. Implementations: `sqliteStore`,
 * `postgresStore`, `redisStore`; write your own for another database.
 */
export interface IdempotencyStore {
  /** A name for logs and benchmarks (`sqlite`, `postgres`, `redis`, ...). */
  readonly kind: string
  /**
   * Inserts the key as in progress when it is absent, or takes it over when
   * its holder's lease ran out with the same fingerprint; otherwise returns
   * what is stored. One round trip, atomic.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>
  /** Stores the answer if `held.token` still holds the key. @returns false when the lock was lost. */
  complete(held: HeldKey, answer: StoredAnswer): Promise<boolean>
  /** Forgets the key if `token` still holds it, so a retry runs afresh. */
  release(id: string, token: string): Promise<void>
  /**
   * Forgets keys first seen before `before` (ms since the epoch) whose
   * answer is stored or whose lease ran out. @returns how many.
   */
  purge(before: number, now: number): Promise<number>
}

/**
 * A store whose database can also hold the business write, so the write,
 * the key and its answer commit in one transaction.
 */
export interface TransactionalStore<Tx> extends IdempotencyStore {
  /**
   * Opens a transaction, runs `work` with it, and stores the answer
   * `answerOf(value)` under the held key in the same transaction, unless it
   * is `undefined` (then everything rolls back). Without a held key (a
   * request sent without one) it only runs and commits the work. A throw
   * rolls back and rethrows.
   */
  transaction<T>(held: HeldKey | undefined, work: (tx: Tx) => T | Promise<T>, answerOf: (value: T) => StoredAnswer | undefined): Promise<TransactionOutcome<T>>
}

/** Whether a store offers {@link TransactionalStore.transaction}. */
export function isTransactional<Tx>(store: IdempotencyStore): store is TransactionalStore<Tx> {
  return typeof (store as Partial<TransactionalStore<Tx>>).transaction === 'function'
}
