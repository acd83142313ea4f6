/**
 * A UUID v4 from 16 random bytes (RFC 4122 §4.4): the version nibble is 4 and
 * the variant bits are 10.
 */
export function uuidV4(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError('uuidV4 needs 16 random bytes')
  const b = Array.from(bytes.subarray(0, 16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = b.map((byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
