import fc from 'fast-check'
import { jsonStringBytes, splitJsonText } from '../../sdk/store/chunking'
import { utf8Length } from '../../sdk/util/utf8'

/** Any UTF-16 string, lone surrogates and control characters included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0001', '中', '😀', '\ud800', '\udc00', 'é'), maxLength: 400 }),
)

describe('UTF-8 measuring', () => {
  test('utf8Length agrees with Node for any string', () => {
    fc.assert(fc.property(anyText, (text) => utf8Length(text) === Buffer.byteLength(text, 'utf8')))
  })

  test('jsonStringBytes is the UTF-8 size of JSON.stringify for any string', () => {
    fc.assert(fc.property(anyText, (text) => jsonStringBytes(text) === Buffer.byteLength(JSON.stringify(text), 'utf8')))
  })
})

describe('splitJsonText', () => {
  test('pieces join back exactly, each within the limit and measured exactly, no pair cut, none smaller than it must be', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 8, max: 120 }), (text, maxBytes) => {
        const chunks = splitJsonText(text, maxBytes)
        expect(chunks.map((chunk) => chunk.text).join('')).toBe(text)
        if (text === '') expect(chunks).toEqual([])
        chunks.forEach((chunk, index) => {
          expect(chunk.text.length).toBeGreaterThan(0)
          expect(chunk.bytes).toBe(Buffer.byteLength(JSON.stringify(chunk.text), 'utf8'))
          expect(chunk.bytes).toBeLessThanOrEqual(maxBytes)
          const next = chunks[index + 1]
          if (!next) return
          const last = chunk.text.charCodeAt(chunk.text.length - 1)
          const first = next.text.charCodeAt(0)
          const cutPair = last >= 0xd800 && last <= 0xdbff && first >= 0xdc00 && first <= 0xdfff
          expect(cutPair).toBe(false)
          // Greedy: the next character did not fit.
          const nextChar = first >= 0xd800 && first <= 0xdbff && next.text.length > 1 ? next.text.slice(0, 2) : next.text[0]
          expect(chunk.bytes + jsonStringBytes(nextChar) - 2).toBeGreaterThan(maxBytes)
        })
      }),
      { numRuns: 300 },
    )
  })

  test('refuses a limit too small for one escaped character', () => {
    expect(() => splitJsonText('abc', 7)).toThrow(RangeError)
  })
})
