/**
 * The SDK's answer table, as the kit judges answers by it (mirrors the
 * client's default classifier; kept here so the Node-only entry does not
 * pull in the mini-program code).
 */

/** What the SDK does with an answer. */
export type SdkVerdict = 'done' | 'retry' | 'authExpired' | 'deadLetter'

/** 2xx/3xx done; 408, 409, 429, 5xx and no answer retry; 401 refreshes auth; other 4xx dead-letter. */
export function sdkVerdict(status: number): SdkVerdict {
  if (status === 0) return 'retry'
  if (status >= 200 && status < 400) return 'done'
  if (status === 401) return 'authExpired'
  if (status === 408 || status === 409 || status === 429 || status >= 500) return 'retry'
  return 'deadLetter'
}
