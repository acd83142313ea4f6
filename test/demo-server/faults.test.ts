/** Injected faults: 5xx before applying, lost answers after applying, latency, a seeded PRNG. */
import { mulberry32 } from '../../demo-server'
import { cleanUp, get, send, startServer, visitBody } from './demo-harness'

afterEach(cleanUp)

describe('an injected 5xx', () => {
  it('is not stored: the key is released and the retry applies once', async () => {
    const server = await startServer({ failureRate: 1 })
    const failed = await send(server, 'POST', '/visits', visitBody(), 'key-503')

    expect(failed).toMatchObject({ status: 503, json: { error: 'injected failure' } })
    expect(server.db.idempotencyRows()).toEqual([])
    expect(server.db.counts().visits).toBe(0)

    server.setFaults({ failureRate: 0 })
    const retry = await send(server, 'POST', '/visits', visitBody(), 'key-503')
    const again = await send(server, 'POST', '/visits', visitBody(), 'key-503')

    expect(retry.status).toBe(201)
    expect(retry.replayed).toBe(false)
    expect(again.replayed).toBe(true)
    expect(server.db.counts().visits).toBe(1)
    expect(server.stats()).toMatchObject({ injected5xx: 1, applied: 1, repeatsReplayed: 1 })
  })

  it('spares reads unless faultReads is on, and spares /health always', async () => {
    const server = await startServer({ failureRate: 1 })
    expect((await get(server, '/customers')).status).toBe(200)

    server.setFaults({ faultReads: true })
    expect((await get(server, '/customers')).status).toBe(503)
    expect((await get(server, '/health')).status).toBe(200)
    expect(server.stats().injected5xx).toBe(1)
  })
})

describe('a dropped connection', () => {
  it('applies the write, loses the answer, and the retry gets the stored answer', async () => {
    const server = await startServer({ dropRate: 1 })

    await expect(send(server, 'POST', '/visits', visitBody(), 'key-drop')).rejects.toThrow()
    expect(server.db.counts().visits).toBe(1)
    const [row] = server.db.idempotencyRows()
    expect(row).toMatchObject({ key: 'key-drop', state: 'done', status: 201 })

    server.setFaults({ dropRate: 0 })
    const retry = await send(server, 'POST', '/visits', visitBody(), 'key-drop')

    expect(retry.status).toBe(201)
    expect(retry.replayed).toBe(true)
    expect(retry.bytes.toString('utf8')).toBe(row.responseBody)
    expect((retry.json as { id: string }).id).toBe(server.db.visits()[0].id)
    expect(server.db.counts().visits).toBe(1)
    expect(server.stats()).toMatchObject({ dropped: 1, applied: 1, repeatsReplayed: 1 })
  })

  it('loses replayed answers too, without applying anything again', async () => {
    const server = await startServer()
    await send(server, 'POST', '/visits', visitBody(), 'key-twice')
    server.setFaults({ dropRate: 1 })

    await expect(send(server, 'POST', '/visits', visitBody(), 'key-twice')).rejects.toThrow()
    await expect(send(server, 'POST', '/visits', visitBody(), 'key-twice')).rejects.toThrow()
    expect(server.db.counts().visits).toBe(1)
    expect(server.stats()).toMatchObject({ dropped: 2, repeatsReplayed: 2, applied: 1 })
  })
})

describe('latency', () => {
  it('delays answers by latencyMs, and can be changed at run time', async () => {
    const server = await startServer({ latencyMs: 150 })
    let started = Date.now()
    await get(server, '/customers')
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)

    server.setFaults({ latencyMs: 0 })
    started = Date.now()
    await get(server, '/customers')
    expect(Date.now() - started).toBeLessThan(140)
    expect(server.faults().latencyMs).toBe(0)
  })

  it('refuses bad knob values and keeps the old ones', async () => {
    const server = await startServer({ failureRate: 0.25 })
    expect(() => server.setFaults({ failureRate: 2 })).toThrow(RangeError)
    expect(() => server.setFaults({ dropRate: -0.1 })).toThrow(RangeError)
    expect(() => server.setFaults({ latencyMs: Number.NaN })).toThrow(RangeError)
    expect(server.faults()).toMatchObject({ failureRate: 0.25, dropRate: 0, latencyMs: 0 })
    await expect(startServer({ dropRate: 1.5 })).rejects.toThrow(RangeError)
  })
})

describe('the seeded PRNG', () => {
  async function outcomes(seed: number): Promise<number[]> {
    const server = await startServer({ seed, failureRate: 0.5 })
    const statuses: number[] = []
    for (let i = 0; i < 16; i++) statuses.push((await send(server, 'POST', '/visits', visitBody(`n${i}`), `key-${i}`)).status)
    expect(server.db.counts().visits).toBe(statuses.filter((status) => status === 201).length)
    return statuses
  }

  it('gives the same faults to the same sequence of requests', async () => {
    const first = await outcomes(42)
    const second = await outcomes(42)
    const other = await outcomes(7)

    expect(second).toEqual(first)
    expect(new Set(first)).toEqual(new Set([201, 503]))
    expect(other).not.toEqual(first)
  })

  it('is mulberry32: repeatable and spread over [0, 1)', () => {
    const a = mulberry32(1)
    const b = mulberry32(1)
    const values = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values)
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length
    expect(mean).toBeGreaterThan(0.45)
    expect(mean).toBeLessThan(0.55)
  })
})
