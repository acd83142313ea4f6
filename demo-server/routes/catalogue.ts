/** The reads the demo keeps offline: customers and today's route; and the health check. */
import { COURIER, type Customer } from '../seed-data'
import { jsonRaw, type ReadRoute } from '../router'

/** `GET /customers` answer. */
export interface CustomersAnswer {
  customers: Customer[]
}

/** One parcel of `GET /routes/today`. */
export interface RouteDelivery {
  trackingNo: string
  recipient: string
  phone: string
  address: string
  /** True once a delivery with this tracking number has been confirmed. */
  delivered: boolean
}

/** `GET /routes/today` answer. */
export interface RouteTodayAnswer {
  /** Today's local date, `YYYY-MM-DD`. */
  date: string
  courier: { id: string; name: string }
  deliveries: RouteDelivery[]
}

function localDate(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** `/health`, `/admin/counts/:table`, `/customers`, `/routes/today`. */
export const catalogueRoutes: ReadRoute[] = [
  {
    method: 'GET',
    pattern: '/health',
    summary: '{ ok: true }',
    control: true,
    read: () => jsonRaw(200, { ok: true }),
  },
  {
    method: 'GET',
    pattern: '/admin/counts/:table',
    summary: '{ count }: rows applied in visits | deliveries | photos | statusChanges (the conformance kit\'s --count-url)',
    control: true,
    read: (request, { db }) => {
      const counts = db.counts() as unknown as Record<string, number>
      const count = counts[request.params.table]
      return count === undefined ? jsonRaw(404, { error: 'unknown table', details: { tables: Object.keys(counts) } }) : jsonRaw(200, { count })
    },
  },
  {
    method: 'GET',
    pattern: '/customers',
    summary: '{ customers: [{ id, name, contact, phone, address }] }, ?q= filters',
    read: (request, { db }) => {
      const answer: CustomersAnswer = { customers: db.customers(request.query.get('q') ?? '') }
      return jsonRaw(200, answer)
    },
  },
  {
    method: 'GET',
    pattern: '/routes/today',
    summary: "{ date, courier, deliveries: [{ trackingNo, recipient, phone, address, delivered }] }",
    read: (_, { db }) => {
      const delivered = db.deliveredTrackingNumbers()
      const answer: RouteTodayAnswer = {
        date: localDate(new Date()),
        courier: { ...COURIER },
        deliveries: db.routeStops().map((stop) => ({ ...stop, delivered: delivered.has(stop.trackingNo) })),
      }
      return jsonRaw(200, answer)
    },
  },
]
