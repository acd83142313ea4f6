/**
 * Backends whose batch endpoints each break one rule of the protocol, for
 * proving the batch check catches it. The naive endpoint forwards entries
 * over loopback HTTP to the app itself, one by one, as a hand-written
 * backend might.
 */
import Database from 'better-sqlite3'
import express from 'express'
import { mkdtempSync } from 'fs'
import * as http from 'http'
import type { AddressInfo } from 'net'
import * as os from 'os'
import * as path from 'path'
import { batch, idempotency, sqliteStore, type BatchEntry, type BatchResult } from 'miniprogram-offline/server'
import { closeApp } from './close-app'

/** Which rule the backend breaks. */
export type Breakage = 'none' | 'no-lane-stop' | 'reversed-results' | 'no-idempotency' | 'no-endpoint' | 'ignores-auth' | 'no-limits'

/** A running backend. */
export interface BrokenBackend {
  batchUrl: string
  countUrl: string
  close(): Promise<void>
}

const parsed = (text: string): unknown => {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined
  } catch {
    return text
  }
}

/** The naive endpoint: every entry over HTTP to the app, in order; `stopLanes` and `limits` as told. */
function naiveBatch(origin: () => string, rules: { stopLanes: boolean; limits: boolean; reverse: boolean }): express.RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const entries = (req.body as { entries?: BatchEntry[] }).entries
      if (!Array.isArray(entries)) {
        if (rules.limits) res.status(400).json({ error: 'malformed' })
        else res.status(500).json({ error: 'crashed on a malformed batch' })
        return
      }
      if (rules.limits && entries.length > 50) {
        res.status(413).json({ error: 'too many' })
        return
      }
      const stopped = new Set<string>()
      const results: BatchResult[] = []
      for (const entry of entries) {
        if (rules.stopLanes && stopped.has(entry.lane)) {
          results.push({ key: entry.key, notAttempted: true })
          continue
        }
        const answer = await fetch(`${origin()}${entry.path}`, {
          method: entry.method,
          headers: { ...entry.headers, authorization: req.headers.authorization ?? '', 'idempotency-key': entry.key },
          body: entry.body === undefined ? undefined : JSON.stringify(entry.body),
        })
        const text = await answer.text()
        if (answer.status >= 300) stopped.add(entry.lane)
        results.push({ key: entry.key, status: answer.status, headers: { 'content-type': answer.headers.get('content-type') ?? '' }, body: parsed(text) })
      }
      res.json({ results: rules.reverse ? results.reverse() : results })
    })().catch(next)
  }
}

/** Starts a backend breaking `breakage` (`none`: the real endpoint, for the passing run). */
export async function startBrokenBackend(breakage: Breakage): Promise<BrokenBackend> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'batch-broken-'))
  const db = new Database(path.join(dir, 'app.sqlite'))
  db.exec('CREATE TABLE visits (id INTEGER PRIMARY KEY AUTOINCREMENT)')
  let origin = ''
  const app = express()
  const checkAuth: express.RequestHandler = (req, res, next) => {
    if (breakage !== 'ignores-auth' && req.headers.authorization !== 'Bearer token-alice') res.status(401).json({ error: 'who are you?' })
    else next()
  }
  app.get('/count', (_req, res) => {
    res.json({ count: (db.prepare('SELECT COUNT(*) AS n FROM visits').get() as { n: number }).n })
  })
  app.use(express.json({ limit: '1mb' }))
  if (breakage === 'none' || breakage === 'no-idempotency' || breakage === 'ignores-auth') app.post('/batch', checkAuth, batch({ handler: app }))
  else if (breakage !== 'no-endpoint') {
    const rules = { stopLanes: breakage !== 'no-lane-stop', limits: breakage !== 'no-limits', reverse: breakage === 'reversed-results' }
    app.post('/batch', checkAuth, naiveBatch(() => origin, rules))
  }
  app.use(checkAuth)
  if (breakage !== 'no-idempotency') app.use(idempotency({ store: sqliteStore(db) }))
  app.post('/visits', (_req, res) => {
    const id = Number(db.prepare('INSERT INTO visits DEFAULT VALUES').run().lastInsertRowid)
    res.status(201).json({ id })
  })
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    batchUrl: `${origin}/batch`,
    countUrl: `${origin}/count`,
    close: () => closeApp(server, db, dir),
  }
}
