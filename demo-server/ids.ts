import { randomBytes } from 'crypto'

/**
 * A new random id such as `p-3f9a1c2b4d5e`. Random rather than sequential so
 * that a photo's id is known before its row exists (its bytes are written
 * to `<id>.<ext>` first) and ids never repeat across restarts.
 */
export function newId(prefix: 'v' | 'p' | 'd'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`
}
