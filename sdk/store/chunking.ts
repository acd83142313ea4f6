/**
 * Measuring and splitting text the way WeChat measures storage: UTF-8 bytes
 * of the JSON the runtime serialises (see `shared/platform-facts.md`).
 *
 * A chunk is stored as a JSON *string*, so its size on the phone is the
 * size of `JSON.stringify(chunk)`: quotes, backslashes and control
 * characters cost more than one byte each. Chunks are measured that way,
 * character by character, so none can exceed the per-key limit however
 * much escaping the value needs.
 */
import { isHighSurrogate, isLowSurrogate } from '../util/utf8'

/** UTF-8 bytes of `JSON.stringify(text)`, quotes included. */
export function jsonStringBytes(text: string): number {
  let bytes = 2
  for (let i = 0; i < text.length; i++) {
    const width = escapedWidth(text, i)
    bytes += width.bytes
    i += width.units - 1
  }
  return bytes
}

/** One piece of a split text and the UTF-8 bytes its JSON string occupies. */
export interface TextChunk {
  text: string
  /** `utf8Length(JSON.stringify(text))`. */
  bytes: number
}

/**
 * Splits `text` into pieces whose JSON string form is at most `maxBytes`
 * UTF-8 bytes each. A surrogate pair is never cut in two: a lone surrogate
 * may not survive a runtime's UTF-8 conversion, which would tear the value.
 * Joining the pieces gives `text` back exactly. `maxBytes` must leave room
 * for the two quotes and the widest character (6 bytes).
 */
export function splitJsonText(text: string, maxBytes: number): TextChunk[] {
  if (maxBytes < 8) throw new RangeError(`chunks of ${maxBytes} bytes cannot hold a character`)
  const chunks: TextChunk[] = []
  let start = 0
  let bytes = 2
  let i = 0
  while (i < text.length) {
    const width = escapedWidth(text, i)
    if (bytes + width.bytes > maxBytes) {
      chunks.push({ text: text.slice(start, i), bytes })
      start = i
      bytes = 2
    }
    bytes += width.bytes
    i += width.units
  }
  if (i > start) chunks.push({ text: text.slice(start), bytes })
  return chunks
}

interface CharWidth {
  /** UTF-16 code units the character spans (2 for a surrogate pair). */
  units: number
  /** UTF-8 bytes it takes inside a JSON string. */
  bytes: number
}

const SHORT_ESCAPE = { units: 1, bytes: 2 }
const UNICODE_ESCAPE = { units: 1, bytes: 6 }
const ONE = { units: 1, bytes: 1 }
const TWO = { units: 1, bytes: 2 }
const THREE = { units: 1, bytes: 3 }
const PAIR = { units: 2, bytes: 4 }

/** The width of the character at `i` once `JSON.stringify` has escaped it (ES2019 well-formed stringify). */
function escapedWidth(text: string, i: number): CharWidth {
  const code = text.charCodeAt(i)
  if (code === 0x22 || code === 0x5c) return SHORT_ESCAPE // \" and \\
  if (code < 0x20) {
    // \b \t \n \f \r have short escapes; every other control character is \u00XX.
    return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? SHORT_ESCAPE : UNICODE_ESCAPE
  }
  if (code < 0x80) return ONE
  if (code < 0x800) return TWO
  if (isHighSurrogate(code)) return isLowSurrogate(text.charCodeAt(i + 1)) ? PAIR : UNICODE_ESCAPE
  if (isLowSurrogate(code)) return UNICODE_ESCAPE // a lone low surrogate: stringify writes \udXXX
  return THREE
}
