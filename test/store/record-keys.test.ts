/**
 * The key-name parser walks names by hand for speed (opening parses every
 * key). It must accept exactly what the straightforward regular-expression
 * reading accepts: every name the store writes, and nothing that is not
 * canonical.
 */
import fc from 'fast-check'
import { MAX_CHUNKS, chunkKey, headKey, parseRecordKey, userKeyProblem } from '../../sdk/store/record-keys'

const PREFIX = 'mpo/test/'

/** The reference reading: a regular expression, then a re-encoding that must give the same name. */
function referenceParse(storageKey: string): unknown {
  if (!storageKey.startsWith(PREFIX)) return undefined
  const match = /^(h|c)\.([0-9a-z]+)\.([0-9]+)\.([0-9a-z]+)\.([\s\S]+)$/.exec(storageKey.slice(PREFIX.length))
  if (!match) return undefined
  const [, kind, gen36, number, bytes36, userKey] = match
  const gen = parseInt(gen36, 36)
  const count = Number(number)
  const bytes = parseInt(bytes36, 36)
  const rebuilt = `${PREFIX}${kind}.${gen.toString(36)}.${count}.${bytes.toString(36)}.${userKey}`
  if (rebuilt !== storageKey || !Number.isSafeInteger(gen) || gen < 1 || !Number.isSafeInteger(bytes)) return undefined
  if (userKeyProblem(userKey) !== undefined || bytes <= Buffer.byteLength(storageKey, 'utf8')) return undefined
  if (kind === 'h') return count <= MAX_CHUNKS ? { kind: 'head', storageKey, gen, chunkCount: count, bytes, userKey } : undefined
  return count < MAX_CHUNKS ? { kind: 'chunk', storageKey, gen, index: count, bytes, userKey } : undefined
}

const userKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.constantFrom('visit/1', 'a.b.c', '客户/张三', '😀.x', 'o/default/p/12/mx3efute/6c18//'),
)

describe('parseRecordKey', () => {
  test('reads back every name the store writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 40 }), userKey, fc.integer({ min: 1, max: 900_000 }), (gen, number, key, valueBytes) => {
        fc.pre(userKeyProblem(key) === undefined)
        const head = headKey(PREFIX, gen, number, key, valueBytes)
        expect(parseRecordKey(PREFIX, head.storageKey)).toEqual({ kind: 'head', storageKey: head.storageKey, gen, chunkCount: number, bytes: head.bytes, userKey: key })
        const chunk = chunkKey(PREFIX, gen, number, key, valueBytes)
        expect(parseRecordKey(PREFIX, chunk.storageKey)).toEqual({ kind: 'chunk', storageKey: chunk.storageKey, gen, index: number, bytes: chunk.bytes, userKey: key })
      }),
      { numRuns: 500 },
    )
  })

  test('agrees with the regular-expression reading on arbitrary and mangled names', () => {
    const piece = fc.oneof(fc.constantFrom('0', '00', '01', '1', 'z', 'Z', '', '-1', '1e3', 'zzzzzzzzzzz', '10000000000', '1y2p0ij32e8e7', '10240', '10241', '999999'), fc.string({ maxLength: 4 }))
    const name = fc
      .tuple(fc.constantFrom('h', 'c', 'x', 'H'), piece, piece, piece, fc.oneof(userKey, fc.constantFrom('', 'a\u0001', '\ud800x', 'ok')))
      .map(([kind, gen, number, bytes, key]) => `${PREFIX}${kind}.${gen}.${number}.${bytes}.${key}`)
    fc.assert(
      fc.property(fc.oneof(name, fc.string().map((rest) => PREFIX + rest)), (storageKey) => {
        expect(parseRecordKey(PREFIX, storageKey)).toEqual(referenceParse(storageKey))
      }),
      { numRuns: 3000 },
    )
  })

  test('refuses the canonical-looking but impossible', () => {
    for (const bad of ['h.01.0.zz.k', 'h.1.00.zz.k', 'h.1.0.0zz.k', 'h.1.0.1.k', 'h.0.0.zz.k', 'h.1.10241.zzz.k', 'c.1.10240.zzz.k', 'h.1.0.zz.', 'h.A.0.zz.k', 'h.zzzzzzzzzzz.0.zz.k', 'h.1.0.zz.a\u0001b']) {
      expect(parseRecordKey(PREFIX, PREFIX + bad)).toBeUndefined()
    }
  })
})
