/**
 * A minimal PNG encoder (8-bit RGB, no interlace), enough to serve small
 * generated images for the precache and image-cache demos without shipping
 * binary files.
 */
import { createHash } from 'crypto'
import { deflateSync } from 'zlib'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 as PNG chunks need it (ISO 3309, the same as zlib's). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number]

/**
 * Encodes an image as PNG.
 *
 * @param pixel - the colour at (x, y).
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // colour type: RGB
  // bytes 10..12: compression, filter and interlace methods, all 0
  const rowLength = 1 + width * 3
  const raw = Buffer.alloc(rowLength * height)
  for (let y = 0; y < height; y++) {
    raw[y * rowLength] = 0 // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y)
      const at = y * rowLength + 1 + x * 3
      raw[at] = r
      raw[at + 1] = g
      raw[at + 2] = b
    }
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** The side of the images {@link pngForName} draws. */
export const GENERATED_PNG_SIZE = 32

/**
 * A small image that is always the same for the same name and differs
 * between names: two colours from the name's hash, in diagonal stripes.
 */
export function pngForName(name: string): Buffer {
  const hash = createHash('sha256').update(name).digest()
  const a: Rgb = [hash[0], hash[1], hash[2]]
  const b: Rgb = [255 - hash[0], 255 - hash[1], 255 - hash[2]]
  return encodePng(GENERATED_PNG_SIZE, GENERATED_PNG_SIZE, (x, y) => (Math.floor((x + y) / 8) % 2 === 0 ? a : b))
}
