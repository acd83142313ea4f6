/** A sales rep's visits: `POST /visits` and `PUT /visits/:id/status`. */
import { HttpError } from '../answers'
import { newId } from '../ids'
import type { WriteRoute } from '../router'
import { jsonObject, optionalString, photoUrl, requiredString, timestamp } from '../validation'

/** `POST /visits` (201) answer. */
export interface VisitAnswer {
  id: string
  customerId: string
  customerName: string
  notes: string
  photos: string[]
  at: string
  status: string
}

/** `PUT /visits/:id/status` (200) answer. */
export interface VisitStatusAnswer {
  id: string
  status: string
}

/** The status of a new visit. */
export const INITIAL_VISIT_STATUS = 'recorded'

const VISIT_ID = /^[A-Za-z0-9_-]{1,64}$/
const MAX_PHOTOS = 20

/** `POST /visits`, `PUT /visits/:id/status`. */
export const visitRoutes: WriteRoute[] = [
  {
    method: 'POST',
    pattern: '/visits',
    summary: '{ visitId?, customerId, notes?, photos?: ["/photos/<id>"], at } -> 201 { id, customerId, customerName, notes, photos, at, status }',
    prepare: (request, { db }) => ({
      apply: () => {
        const body = jsonObject(request.payload)
        const customerId = requiredString(body, 'customerId', 64)
        const customer = db.customer(customerId)
        if (!customer) throw new HttpError(400, 'unknown customer', { field: 'customerId', customerId })
        const notes = optionalString(body, 'notes', 2000, '')
        const at = timestamp(body, 'at')
        const rawPhotos = body.photos ?? []
        if (!Array.isArray(rawPhotos) || rawPhotos.length > MAX_PHOTOS) {
          throw new HttpError(400, `photos must be an array of at most ${MAX_PHOTOS} photo URLs`, { field: 'photos' })
        }
        const photos = rawPhotos.map((url, i) => photoUrl(db, url, `photos[${i}]`))
        let id = newId('v')
        if (body.visitId !== undefined) {
          // A client-made id lets later requests name the visit before it reached the server.
          if (typeof body.visitId !== 'string' || !VISIT_ID.test(body.visitId)) {
            throw new HttpError(400, 'visitId must be 1 to 64 letters, digits, _ or -', { field: 'visitId' })
          }
          // Under its own key a repeat is replayed before reaching this point; the same visit
          // under ANOTHER key means the client sent it twice: refuse loudly rather than merge.
          if (db.visit(body.visitId)) throw new HttpError(400, 'visit already exists', { field: 'visitId', visitId: body.visitId })
          id = body.visitId
        }
        db.insertVisit({
          id,
          customerId,
          notes,
          photos,
          at,
          status: INITIAL_VISIT_STATUS,
          idempotencyKey: request.idempotencyKey,
          createdAt: request.now,
        })
        const answer: VisitAnswer = { id, customerId, customerName: customer.name, notes, photos, at, status: INITIAL_VISIT_STATUS }
        return { status: 201, body: answer }
      },
    }),
  },
  {
    method: 'PUT',
    pattern: '/visits/:id/status',
    summary: '{ status } -> 200 { id, status } (404 for an unknown visit)',
    prepare: (request, { db }) => ({
      apply: () => {
        const body = jsonObject(request.payload)
        const status = requiredString(body, 'status', 32)
        const visitId = request.params.id
        if (!db.visit(visitId)) throw new HttpError(404, 'unknown visit', { visitId })
        db.changeVisitStatus({ visitId, status, idempotencyKey: request.idempotencyKey, createdAt: request.now })
        const answer: VisitStatusAnswer = { id: visitId, status }
        return { status: 200, body: answer }
      },
    }),
  },
]
