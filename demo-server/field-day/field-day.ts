import { randomBytes } from 'crypto'
import type { CustomersAnswer } from '../routes/catalogue'
import type { DemoServer } from '../server'
import { FieldPhone } from './field-phone'
import { ProgressLine } from './progress-line'

/** How big a day to play. */
export interface FieldDayPlan {
  seed: number
  /** Visits the rep logs offline. */
  visits: number
  /** Deliveries the courier confirms while the network flaps. */
  deliveries: number
  /** Times the network drops and returns. */
  flaps: number
}

/** What the users did: the truth the server must match. */
export interface UserActions {
  visits: Array<{ visitId: string; photos: number }>
  deliveries: string[]
  photos: number
  appKills: number
}

export interface FieldDayResult {
  actions: UserActions
  sent: number
  retries: number
  deadLettered: number
  pendingAtEnd: number
  ms: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A deterministic visit id from the seed: client-generated ids need no references between steps. */
function visitId(random: () => number, n: number): string {
  return `visit-${Math.floor(random() * 1e9).toString(36)}-${n}`
}

/**
 * Plays the day through the real SDK on two emulated phones (a sales rep's
 * and a courier's) against the demo server: offline visits with photos, the
 * app killed and restarted, a flapping network while deliveries are
 * confirmed, a 5xx burst, and the network coming back for good.
 */
export async function playFieldDay(server: DemoServer, plan: FieldDayPlan, random: () => number): Promise<FieldDayResult> {
  const started = Date.now()
  const retry = { baseDelayMs: 100, maxDelayMs: 1000 }
  const rep = new FieldPhone({ namespace: 'sales:rep-001', headers: () => ({ Authorization: 'Bearer rep-token' }), retry })
  const courier = new FieldPhone({ namespace: 'courier:c-007', headers: () => ({ Authorization: 'Bearer courier-token' }), retry })
  const progress = new ProgressLine()
  const actions: UserActions = { visits: [], deliveries: [], photos: 0, appKills: 0 }
  let chapter = ''
  const show = () => progress.show(chapter, rep.client.status.get(), rep.counters.sent + courier.counters.sent)
  const ticker = setInterval(show, 50)
  const api = (path: string) => `${server.url}${path}`

  try {
    chapter = '早上在公司 / morning, online'
    await Promise.all([rep.client.ready, courier.client.ready])
    const { customers } = (await rep.client.get({ url: api('/customers'), strategy: 'networkFirst' })).data as CustomersAnswer
    await courier.client.get({ url: api('/routes/today'), strategy: 'networkFirst' })

    chapter = '地下车库 / basement, offline'
    rep.setOnline(false)
    for (let n = 0; n < plan.visits; n++) {
      const customer = customers[Math.floor(random() * customers.length)]
      const photoCount = Math.floor(random() * 3)
      const id = visitId(random, n)
      await rep.client.task({
        lane: `customer:${customer.id}`,
        metadata: { title: `拜访 ${customer.id}` },
        steps: [
          ...Array.from({ length: photoCount }, () => ({ upload: { url: api('/photos'), filePath: rep.takePhoto(randomBytes(20_000)), name: 'file' } })),
          { request: { url: api('/visits'), method: 'POST' as const, data: { visitId: id, customerId: customer.id, notes: `第${n + 1}次拜访`, photos: Array.from({ length: photoCount }, (_, i) => ({ $ref: `steps.${i}.data.url` })), at: n } } },
        ],
      })
      actions.visits.push({ visitId: id, photos: photoCount })
      actions.photos += photoCount
    }

    chapter = '小程序被杀掉 / app killed, restarted'
    rep.killAndRestart()
    actions.appKills += 1
    await rep.client.ready

    chapter = '网络时断时续 / network flapping'
    // A weak network: some requests fail at the server, some answers never come back.
    server.setFaults({ failureRate: 0.2, dropRate: 0.15 })
    for (let flap = 0; flap < plan.flaps; flap++) {
      rep.setOnline(true)
      courier.setOnline(true)
      await sleep(20 + random() * 60)
      rep.setOnline(false)
      courier.setOnline(false)
      if (actions.deliveries.length < plan.deliveries) {
        const trackingNo = `SF${1001 + actions.deliveries.length}`
        await courier.client.task({
          lane: `delivery:${trackingNo}`,
          metadata: { title: `签收 ${trackingNo}` },
          steps: [
            { upload: { url: api('/photos'), filePath: courier.takePhoto(randomBytes(8_000)), name: 'file', formData: { kind: 'signature' } } },
            { upload: { url: api('/photos'), filePath: courier.takePhoto(randomBytes(30_000)), name: 'file', formData: { kind: 'parcel' } } },
            { request: { url: api('/deliveries'), method: 'POST', data: { trackingNo, signature: { $ref: 'steps.0.data.url' }, photo: { $ref: 'steps.1.data.url' }, at: flap } } },
          ],
        })
        actions.deliveries.push(trackingNo)
        actions.photos += 2
      }
      await sleep(random() * 30)
    }

    chapter = '服务器出错 / server 5xx burst'
    server.setFaults({ failureRate: 0.8, dropRate: 0.1 })
    rep.setOnline(true)
    courier.setOnline(true)
    // The rep keeps working through the burst: these go live, meet 5xx, and queue.
    for (let n = 0; n < 3; n++) {
      const id = visitId(random, plan.visits + n)
      await rep.client.request({ url: api('/visits'), method: 'POST', data: { visitId: id, customerId: customers[n].id, notes: '服务器出错时的拜访', photos: [], at: n } })
      actions.visits.push({ visitId: id, photos: 0 })
    }
    await sleep(600)

    chapter = '网络恢复 / network back for good'
    server.setFaults({ failureRate: 0, dropRate: 0 })
    await drain(rep)
    await drain(courier)
  } finally {
    clearInterval(ticker)
    show()
    progress.end()
  }

  const result: FieldDayResult = {
    actions,
    sent: rep.counters.sent + courier.counters.sent,
    retries: rep.counters.retries + courier.counters.retries,
    deadLettered: rep.counters.deadLettered + courier.counters.deadLettered,
    pendingAtEnd: pendingOf(rep) + pendingOf(courier),
    ms: Date.now() - started,
  }
  await rep.dispose()
  await courier.dispose()
  return result
}

function pendingOf(phone: FieldPhone): number {
  const status = phone.client.status.get()
  return status.pending + status.deadLetters
}

/** Waits until the phone has sent everything, skipping backoff waits on its clock. */
async function drain(phone: FieldPhone): Promise<void> {
  const deadline = Date.now() + 30_000
  while (pendingOf(phone) > 0 && Date.now() < deadline) {
    phone.emu.clock.advance(1000)
    await phone.client.flush()
    await sleep(10)
  }
}
