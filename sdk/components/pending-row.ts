import type { AttemptError, PendingItem } from '../index'

/** One row of the 待同步 list, ready for WXML (strings only, no logic in the template). */
export interface PendingRow {
  id: string
  state: PendingItem['state']
  title: string
  /** 等待发送 / 发送中 / 发送失败, with the attempt count. */
  detail: string
  /** 2/3 for a task of three steps with two done; '' for a single request. */
  progress: string
  /** Percent of steps done, for the progress bar. */
  percent: number
  /** The progress bar's style (`width: 50%`): WXML styles are strings. */
  progressStyle: string
  /** The last attempt's error, '' when none. */
  error: string
  /** When the next attempt is due, as local time; '' when not scheduled. */
  nextAttempt: string
  /** For a dead letter: why the server refused it for good. */
  reason: string
}

const EXCERPT_CHARS = 120

/** The row for one pending item: its title from `metadata.title`, else method and URL. */
export function toRow(item: PendingItem): PendingRow {
  const title = typeof item.metadata?.title === 'string' && item.metadata.title ? item.metadata.title : `${item.method} ${item.url}`
  const state = item.state === 'deadLetter' ? '发送失败' : item.sending ? '发送中' : '等待发送'
  const { done, total } = item.progress
  const percent = total > 0 ? Math.round((done / total) * 100) : 0
  return {
    id: item.id,
    state: item.state,
    title,
    detail: `${state} · 已尝试 ${item.attempts} 次`,
    progress: total > 1 ? `${done}/${total}` : '',
    percent,
    progressStyle: `width: ${percent}%`,
    error: item.lastError && item.state !== 'deadLetter' ? describeError(item.lastError) : '',
    nextAttempt: item.state === 'pending' && item.nextAttemptAt !== undefined ? clockTime(item.nextAttemptAt) : '',
    reason: item.state === 'deadLetter' && item.lastError ? describeError(item.lastError) : '',
  }
}

/** `第 2 步 · HTTP 422 · 手机号格式不对`: which step, the status, and what the server said. */
export function describeError(error: AttemptError): string {
  const parts: string[] = []
  if (error.step !== undefined) parts.push(`第 ${error.step + 1} 步`)
  parts.push(error.statusCode !== undefined ? `HTTP ${error.statusCode}` : error.message)
  const said = serverSaid(error.data)
  if (said) parts.push(said)
  return parts.join(' · ')
}

/** A short excerpt of the answer's body: a `message` or `error` field when there is one. */
function serverSaid(data: unknown): string {
  if (data === undefined || data === null || data === '') return ''
  const record = typeof data === 'object' ? (data as Record<string, unknown>) : undefined
  const field = record && [record.message, record.error, record.errMsg].find((value) => typeof value === 'string' && value)
  const text = typeof field === 'string' ? field : typeof data === 'string' ? data : JSON.stringify(data)
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
}

/** `14:03:05`: the phone's local time of a timestamp. */
function clockTime(at: number): string {
  const time = new Date(at)
  return [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}
