/** Uploaded photos: `POST /photos` (multipart, as `wx.uploadFile` sends) and `GET /photos/:id`. */
import { createHash } from 'crypto'
import { promises as fs } from 'fs'
import * as path from 'path'
import { HttpError } from '../answers'
import { newId } from '../ids'
import { MAX_FILE_BYTES, type UploadedFile } from '../multipart'
import { jsonRaw, type ReadRoute, type Route, type WriteRoute } from '../router'

/** The directory, inside the data directory, that holds photo bytes. */
export const PHOTOS_DIR = 'photos'

/** The multipart field names a photo may come in. */
export const PHOTO_FIELDS: readonly string[] = ['file', 'photo']

/** `POST /photos` (201) answer. */
export interface PhotoAnswer {
  id: string
  /** `/photos/<id>`: where `GET` serves the bytes, and what visits and deliveries refer to. */
  url: string
  size: number
  /** Hex SHA-256 of the stored bytes. */
  sha256: string
  mimeType: string
  /** The other form fields sent with the file. */
  fields: Record<string, string>
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
}

const TYPE_BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic' }

/** The file's type and extension, from its part's content type, else from its name. */
function typeOf(file: UploadedFile): { mimeType: string; extension: string } {
  const declared = file.mimeType.toLowerCase()
  const fromName = path.extname(file.filename).slice(1).toLowerCase()
  const named = /^[a-z0-9]{1,5}$/.test(fromName) ? fromName : undefined
  if (EXTENSION_BY_TYPE[declared]) return { mimeType: declared, extension: EXTENSION_BY_TYPE[declared] }
  if (named && TYPE_BY_EXTENSION[named]) return { mimeType: TYPE_BY_EXTENSION[named], extension: named === 'jpeg' ? 'jpg' : named }
  return { mimeType: declared || 'application/octet-stream', extension: named ?? 'bin' }
}

/** Writes and flushes the bytes, so the row committed after them never points at a file a crash lost. */
async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(file, 'wx')
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const upload: WriteRoute = {
  method: 'POST',
  pattern: '/photos',
  summary: 'multipart, file in field "file" or "photo", plus form fields -> 201 { id, url: "/photos/<id>", size, sha256, mimeType, fields }',
  prepare: async (request, { db, dataDir }) => {
    const { payload } = request
    if (payload.kind === 'invalid') throw new HttpError(400, payload.reason)
    if (payload.kind !== 'multipart') throw new HttpError(400, 'the body must be multipart/form-data')
    const photos = payload.files.filter((file) => PHOTO_FIELDS.includes(file.field))
    if (photos.length !== 1 || payload.files.length !== 1) {
      throw new HttpError(400, `send exactly one file, in a field named ${PHOTO_FIELDS.join(' or ')}`, { files: payload.files.map((f) => f.field) })
    }
    const [file] = photos
    if (file.truncated) throw new HttpError(413, `the file is larger than ${MAX_FILE_BYTES} bytes`)
    if (file.bytes.length === 0) throw new HttpError(400, 'the file is empty')
    const { mimeType, extension } = typeOf(file)
    const id = newId('p')
    const filePath = path.join(dataDir, PHOTOS_DIR, `${id}.${extension}`)
    const sha256 = createHash('sha256').update(file.bytes).digest('hex')
    // The bytes go to disk first; the row and the stored answer then commit together.
    // A crash in between leaves only a file no row names, which the next start removes.
    await writeDurably(filePath, file.bytes)
    return {
      apply: () => {
        db.insertPhoto({
          id,
          path: filePath,
          field: file.field,
          filename: file.filename,
          mimeType,
          size: file.bytes.length,
          sha256,
          fields: payload.fields,
          idempotencyKey: request.idempotencyKey,
          createdAt: request.now,
        })
        const answer: PhotoAnswer = { id, url: `/photos/${id}`, size: file.bytes.length, sha256, mimeType, fields: payload.fields }
        return { status: 201, body: answer }
      },
      discard: () => fs.rm(filePath, { force: true }),
    }
  },
}

const download: ReadRoute = {
  method: 'GET',
  pattern: '/photos/:id',
  summary: 'the bytes of an uploaded photo',
  read: async (request, { db }) => {
    const photo = db.photo(request.params.id)
    if (!photo) return jsonRaw(404, { error: 'unknown photo', details: { id: request.params.id } })
    const bytes = await fs.readFile(photo.path)
    return { status: 200, headers: { 'content-type': photo.mimeType, 'cache-control': 'public, max-age=31536000, immutable' }, body: bytes }
  },
}

/**
 * Removes files in the photos directory that no row names: left by a crash
 * between writing the bytes and committing the row.
 *
 * @returns the names of the removed files.
 */
export async function removeOrphanPhotos(dataDir: string, known: ReadonlySet<string>): Promise<string[]> {
  const dir = path.join(dataDir, PHOTOS_DIR)
  const removed: string[] = []
  for (const name of await fs.readdir(dir)) {
    const file = path.join(dir, name)
    if (known.has(file)) continue
    await fs.rm(file, { force: true, recursive: true })
    removed.push(name)
  }
  return removed
}

/** `POST /photos`, `GET /photos/:id`. */
export const photoRoutes: Route[] = [upload, download]
