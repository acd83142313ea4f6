/** The SQLite store (better-sqlite3, a real file) through Express, Koa and plain node:http. */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'fs'
import * as os from 'os'
import * as path from 'path'
import { sqliteStore } from 'miniprogram-offline/server'
import { describeStoreContract } from './support/store-contract'
import { describeTransactionalMode } from './support/transactional-contract'

const dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite-store-'))
const db = new Database(path.join(dir, 'keys.sqlite'))
db.pragma('journal_mode = WAL')
let tables = 0
const fresh = (): ReturnType<typeof sqliteStore> => sqliteStore(db, { table: `keys_${++tables}` })

afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describeStoreContract('sqlite', fresh, 'express')
describeStoreContract('sqlite', fresh, 'koa')
describeStoreContract('sqlite', fresh, 'node')
describeTransactionalMode('sqlite', () => ({ kind: 'sqlite', db }))
