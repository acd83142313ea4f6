/**
 * The query string `wx.request` appends for GET data: `k=v&...` with
 * `encodeURIComponent`, objects as JSON, `undefined` skipped. The cache keys
 * GETs by it, and the emulator sends it, so both must build it the same way.
 */
export function wxQueryString(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
      return `${encodeURIComponent(key)}=${encodeURIComponent(text)}`
    })
    .join('&')
}
