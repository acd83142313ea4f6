/** A courier's delivery confirmations: `POST /deliveries`. */
import { newId } from '../ids'
import type { WriteRoute } from '../router'
import { jsonObject, photoUrl, requiredString, timestamp } from '../validation'

/** `POST /deliveries` (201) answer. */
export interface DeliveryAnswer {
  id: string
  trackingNo: string
  signature: string
  photo: string
  at: string
}

/** `POST /deliveries`. */
export const deliveryRoutes: WriteRoute[] = [
  {
    method: 'POST',
    pattern: '/deliveries',
    summary: '{ trackingNo, signature: "/photos/<id>", photo: "/photos/<id>", at } -> 201 { id, trackingNo, signature, photo, at }',
    prepare: (request, { db }) => ({
      apply: () => {
        const body = jsonObject(request.payload)
        const trackingNo = requiredString(body, 'trackingNo', 64)
        const signature = photoUrl(db, body.signature, 'signature')
        const photo = photoUrl(db, body.photo, 'photo')
        const at = timestamp(body, 'at')
        const id = newId('d')
        db.insertDelivery({ id, trackingNo, signature, photo, at, idempotencyKey: request.idempotencyKey, createdAt: request.now })
        const answer: DeliveryAnswer = { id, trackingNo, signature, photo, at }
        return { status: 201, body: answer }
      },
    }),
  },
]
