import type { SyncStatus } from '../index'

/** How the offline bar looks: its colour and its words. `hidden` shows nothing. */
export type BarTone = 'hidden' | 'offline' | 'sending' | 'waiting' | 'attention' | 'done'

/** What the offline bar shows for one status. */
export interface BarState {
  tone: BarTone
  text: string
}

/**
 * The bar's words for a status. `batch` is the size of the sync under way
 * (see {@link nextBatch}), so the bar can say 同步中 3/12 while entries go out.
 * An unknown network (`online: null`, just after start) shows nothing rather
 * than a false 离线.
 */
export function describeStatus(status: SyncStatus, batch: number): BarState {
  if (status.online === null) return { tone: 'hidden', text: '' }
  if (!status.online) {
    const waiting = status.pending + status.deadLetters
    return { tone: 'offline', text: waiting > 0 ? `离线 · ${waiting} 条待发送` : '离线' }
  }
  if (status.syncing && batch > 0) {
    return { tone: 'sending', text: `同步中 ${Math.max(0, batch - status.pending)}/${batch}` }
  }
  if (status.deadLetters > 0) return { tone: 'attention', text: `${status.deadLetters} 条发送失败，请到同步中心处理` }
  if (status.pending > 0) return { tone: 'waiting', text: `${status.pending} 条待发送` }
  return { tone: 'done', text: '全部已发送' }
}

/** The size of the current sync: the most that was pending since it started (0 between syncs). */
export function nextBatch(status: SyncStatus, batch: number): number {
  return status.syncing ? Math.max(batch, status.pending) : 0
}
