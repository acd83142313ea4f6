/** The routes the demo reads: customers, today's route, the manifest and generated images. */
import { crc32, inflateSync } from 'zlib'
import { cleanUp, get, send, startServer } from './demo-harness'

afterEach(cleanUp)

interface Customer {
  id: string
  name: string
  contact: string
  phone: string
  address: string
}

describe('GET /customers', () => {
  it('lists twenty customers c01..c20 with Chinese names and addresses', async () => {
    const server = await startServer()
    const { customers } = (await get(server, '/customers')).json as { customers: Customer[] }

    expect(customers.map((c) => c.id)).toEqual(Array.from({ length: 20 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`))
    for (const customer of customers) {
      expect(customer.name).toMatch(/^[\u4e00-\u9fff]+$/)
      expect(customer.address).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('filters with ?q= on name, contact and address', async () => {
    const server = await startServer()
    const byName = (await get(server, `/customers?q=${encodeURIComponent('王记')}`)).json as { customers: Customer[] }
    const byDistrict = (await get(server, `/customers?q=${encodeURIComponent('浦东')}`)).json as { customers: Customer[] }
    const none = (await get(server, '/customers?q=%25')).json as { customers: Customer[] }

    expect(byName.customers.map((c) => c.id)).toEqual(['c01'])
    expect(byDistrict.customers.length).toBeGreaterThan(1)
    expect(byDistrict.customers.every((c) => c.address.includes('浦东'))).toBe(true)
    expect(none.customers).toEqual([]) // % is literal, not a LIKE wildcard
  })
})

describe('GET /routes/today', () => {
  it("gives the courier's parcels SF1001.. with addresses, none delivered yet", async () => {
    const server = await startServer()
    const route = (await get(server, '/routes/today')).json as {
      date: string
      courier: { id: string; name: string }
      deliveries: Array<{ trackingNo: string; address: string; delivered: boolean }>
    }

    expect(route.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(route.courier.name).toBeTruthy()
    expect(route.deliveries[0].trackingNo).toBe('SF1001')
    expect(route.deliveries.map((d) => d.trackingNo)).toEqual(route.deliveries.map((_, i) => `SF${1001 + i}`))
    expect(route.deliveries.every((d) => d.address.length > 0 && !d.delivered)).toBe(true)
  })
})

describe('GET /manifest.json', () => {
  it('lists resources the server serves, and network and fallback patterns', async () => {
    const server = await startServer()
    const manifest = (await get(server, '/manifest.json')).json as {
      version: string
      cache: string[]
      network: string[]
      fallback: Array<{ pattern: string; fallback: string }>
    }

    expect(manifest.version).toBe('v1')
    expect(manifest.cache).toEqual(expect.arrayContaining(['/customers', '/routes/today']))
    expect(manifest.cache.filter((url) => url.startsWith('/static/')).length).toBeGreaterThanOrEqual(2)
    for (const url of [...manifest.cache, ...manifest.fallback.map((f) => f.fallback)]) expect((await get(server, url)).status).toBe(200)
    expect(manifest.network.length).toBeGreaterThan(0)
    expect(manifest.fallback[0].pattern).toMatch(/^\/static\//)
  })

  it('moves its version on with POST /admin/manifest/bump, once per idempotency key', async () => {
    const server = await startServer()
    const bumped = await send(server, 'POST', '/admin/manifest/bump', {}, 'bump-1')
    const repeat = await send(server, 'POST', '/admin/manifest/bump', {}, 'bump-1')

    expect(bumped.json).toEqual({ version: 'v2' })
    expect(repeat.replayed).toBe(true)
    expect(((await get(server, '/manifest.json')).json as { version: string }).version).toBe('v2')
  })
})

describe('GET /static/<name>.png', () => {
  function chunks(png: Buffer): Array<{ type: string; data: Buffer; crcOk: boolean }> {
    const found = []
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at)
      const type = png.toString('ascii', at + 4, at + 8)
      const data = png.subarray(at + 8, at + 8 + length)
      const crcOk = png.readUInt32BE(at + 8 + length) === crc32(png.subarray(at + 4, at + 8 + length))
      found.push({ type, data, crcOk })
      at += 12 + length
    }
    return found
  }

  it('serves a valid PNG, the same for the same name and different for another', async () => {
    const server = await startServer()
    const logo = await get(server, '/static/logo.png')
    const again = await get(server, '/static/logo.png')
    const tile = await get(server, '/static/map-tiles/12-3401-1570.png')

    expect(logo.status).toBe(200)
    expect(logo.headers.get('content-type')).toBe('image/png')
    expect(logo.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const parts = chunks(logo.bytes)
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
    expect(parts.every((c) => c.crcOk)).toBe(true)
    const [width, height] = [parts[0].data.readUInt32BE(0), parts[0].data.readUInt32BE(4)]
    expect(inflateSync(parts[1].data).length).toBe(height * (1 + width * 3))
    expect(again.bytes.equals(logo.bytes)).toBe(true)
    expect(tile.status).toBe(200)
    expect(tile.bytes.equals(logo.bytes)).toBe(false)
  })

  it('answers 404 for a name that is not a PNG', async () => {
    const server = await startServer()
    expect((await get(server, '/static/secret.txt')).status).toBe(404)
    expect((await get(server, '/static/../demo.sqlite')).status).toBe(404)
  })
})

describe('routing', () => {
  it('keeps GETs out of the idempotency table, even with a key', async () => {
    const server = await startServer()
    await get(server, '/customers', { 'idempotency-key': 'read-key' })
    expect(server.db.idempotencyRows()).toEqual([])
  })

  it('answers 404 for an unknown path, 405 with Allow for a known one, and CORS preflights', async () => {
    const server = await startServer()
    const missing = await get(server, '/nowhere')
    const wrongMethod = await get(server, '/visits')
    const preflight = await fetch(`${server.url}/visits`, { method: 'OPTIONS' })

    expect(missing.status).toBe(404)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key')
    expect((await get(server, '/health')).json).toEqual({ ok: true })
  })
})
