/**
 * What the fixture's page and the Workbox page expose, typed for the
 * functions run there through `page.evaluate` (the project compiles
 * without the DOM lib). Inside those functions write
 * `const g = globalThis as unknown as PageGlobals`: only types cross over.
 */
export interface Visits {
  /** Resolves once the client has opened its outbox. */
  ready: Promise<boolean>
  /** Records one visit through `offline.request()`; resolves `'sent'` or `'queued'`. */
  record(label: string): Promise<string>
  status(): { online: boolean; pending: number; syncing: boolean }
  /** Titles of the pending entries, oldest first. */
  pending(): string[]
  capabilities(): Record<string, boolean>
  storageInfo(): { currentSizeKB: number; limitSizeKB: number }
  errorName(): string
  /** Queues visits of about `chars` characters each until the SDK refuses one. */
  fillUntilRefused(chars: number): Promise<{ count: number; name: string; code?: string; limit?: string; message: string }>
}

/** The Workbox page's handles (bench/h5-workbox-bench.ts). */
export interface WorkboxHandles {
  open(name: string): void
  enqueue(labels: string[], url: string): Promise<number>
  replay(): Promise<number>
  size(): Promise<number>
}

interface StorageLike {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
  clear(): void
}

interface DeleteRequest {
  onsuccess: (() => void) | null
  onerror: (() => void) | null
  onblocked: (() => void) | null
}

export interface PageGlobals {
  visits?: Visits
  wb: WorkboxHandles
  localStorage: StorageLike
  indexedDB: { databases(): Promise<Array<{ name?: string }>>; deleteDatabase(name: string): DeleteRequest }
  navigator: { storage: { estimate(): Promise<{ usage?: number; usageDetails?: { indexedDB?: number } }> } }
  performance: { now(): number }
}
