import type { DemoServer } from '../server'
import type { FieldDayResult } from './field-day'

/**
 * Compares the server's database with what the users did: every visit,
 * delivery and photo exactly once, every record pointing at photos that
 * exist, nothing left waiting on the phones. Returns the problems found.
 */
export function verifyFieldDay(server: DemoServer, result: FieldDayResult): string[] {
  const problems: string[] = []
  const { actions } = result
  const visits = server.db.visits()
  const deliveries = server.db.deliveries()
  const photos = server.db.photos()
  const photoUrls = new Set(photos.map((photo) => `/photos/${photo.id}`))

  for (const action of actions.visits) {
    const rows = visits.filter((visit) => visit.id === action.visitId)
    if (rows.length !== 1) problems.push(`visit ${action.visitId}: ${rows.length} rows, expected 1`)
    else if (rows[0].photos.length !== action.photos) problems.push(`visit ${action.visitId}: ${rows[0].photos.length} photos, expected ${action.photos}`)
    else if (!rows[0].photos.every((url) => photoUrls.has(url))) problems.push(`visit ${action.visitId}: refers to a photo the server does not have`)
  }
  if (visits.length !== actions.visits.length) problems.push(`${visits.length} visits stored, ${actions.visits.length} logged`)

  for (const trackingNo of actions.deliveries) {
    const rows = deliveries.filter((delivery) => delivery.trackingNo === trackingNo)
    if (rows.length !== 1) problems.push(`delivery ${trackingNo}: ${rows.length} rows, expected 1`)
    else if (!photoUrls.has(rows[0].signature) || !photoUrls.has(rows[0].photo)) problems.push(`delivery ${trackingNo}: refers to a photo the server does not have`)
  }
  if (deliveries.length !== actions.deliveries.length) problems.push(`${deliveries.length} deliveries stored, ${actions.deliveries.length} confirmed`)
  if (photos.length !== actions.photos) problems.push(`${photos.length} photos stored, ${actions.photos} taken`)
  if (result.pendingAtEnd > 0) problems.push(`${result.pendingAtEnd} entries still waiting on the phones`)
  return problems
}
