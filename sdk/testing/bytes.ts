/**
 * Byte conversions shared by the emulated network and file system. Tests run
 * in a separate realm (jest's vm context), so ArrayBuffers are recognised by
 * their tag rather than `instanceof`, and the ones handed to the app are
 * created in the app's realm.
 */

/** Encodings `FileSystemManager` accepts for strings, mapped to Node's names. */
const ENCODINGS: Record<string, BufferEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  binary: 'latin1',
  latin1: 'latin1',
  ascii: 'ascii',
  base64: 'base64',
  hex: 'hex',
  ucs2: 'utf16le',
  'ucs-2': 'utf16le',
  utf16le: 'utf16le',
  'utf-16le': 'utf16le',
}

/** Node's name for a WeChat file encoding, or `undefined` if WeChat does not know it. */
export function nodeEncoding(encoding: string): BufferEncoding | undefined {
  return ENCODINGS[encoding.toLowerCase()]
}

/** True for an ArrayBuffer from any realm. */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

/** A copy of `bytes` as an ArrayBuffer of this realm, as the runtime hands out. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.byteLength)
  new Uint8Array(buffer).set(bytes)
  return buffer
}

/** Raw bytes of an ArrayBuffer or typed array; `undefined` for anything else. */
export function binaryToBuffer(value: unknown): Buffer | undefined {
  if (isArrayBuffer(value)) return Buffer.from(value)
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return undefined
}
