/**
 * The demo server's SQLite database: schema, seed data, and the typed
 * queries the routes and the checks use. better-sqlite3 is synchronous, so a
 * transaction can never interleave with another request's work in this
 * process.
 */
import Database from 'better-sqlite3'
import * as path from 'path'
import { CUSTOMERS, ROUTE_STOPS, type Customer, type RouteStop } from './seed-data'

/**
 * The table where `sqliteStore` of `miniprogram-offline/server` keeps keys
 * and answers (it creates it), in this same database, so a write and its
 * answer commit in one transaction.
 */
export const IDEMPOTENCY_TABLE = 'idempotency_keys'

/** The SQLite file's name inside the data directory. */
export const DATABASE_FILE = 'demo.sqlite'

/**
 * The schema. Times are milliseconds since the epoch; `at` columns keep the
 * client's own timestamp as sent. Every applied row records the
 * `Idempotency-Key` it came with (NULL when sent without one), so a check can
 * tell which request produced it.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  id      TEXT PRIMARY KEY,
  name    TEXT NOT NULL,
  contact TEXT NOT NULL,
  phone   TEXT NOT NULL,
  address TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS route_stops (
  tracking_no TEXT PRIMARY KEY,
  seq         INTEGER NOT NULL,
  recipient   TEXT NOT NULL,
  phone       TEXT NOT NULL,
  address     TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS visits (
  id              TEXT PRIMARY KEY,
  customer_id     TEXT NOT NULL REFERENCES customers (id),
  notes           TEXT NOT NULL,
  photos          TEXT NOT NULL,
  at              TEXT NOT NULL,
  status          TEXT NOT NULL,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS visit_status_changes (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  visit_id        TEXT NOT NULL REFERENCES visits (id),
  status          TEXT NOT NULL,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS photos (
  id              TEXT PRIMARY KEY,
  file            TEXT NOT NULL,
  field           TEXT NOT NULL,
  filename        TEXT NOT NULL,
  mime_type       TEXT NOT NULL,
  size            INTEGER NOT NULL,
  sha256          TEXT NOT NULL,
  fields          TEXT NOT NULL,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS deliveries (
  id              TEXT PRIMARY KEY,
  tracking_no     TEXT NOT NULL,
  signature       TEXT NOT NULL,
  photo           TEXT NOT NULL,
  at              TEXT NOT NULL,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`

/** A stored visit. */
export interface VisitRow {
  id: string
  customerId: string
  notes: string
  /** Photo URLs (`/photos/<id>`). */
  photos: string[]
  /** The client's timestamp, as sent. */
  at: string
  /** `recorded` until a `PUT /visits/:id/status` changes it. */
  status: string
  idempotencyKey: string | null
  createdAt: number
}

/** One applied `PUT /visits/:id/status`. */
export interface StatusChangeRow {
  id: number
  visitId: string
  status: string
  idempotencyKey: string | null
  createdAt: number
}

/** A stored photo; its bytes are in the file at `path`. */
export interface PhotoRow {
  id: string
  /** Absolute path of the stored bytes (`<dataDir>/photos/<id>.<ext>`). */
  path: string
  /** The multipart field the file came in (`file` or `photo`). */
  field: string
  /** The file name the client sent. */
  filename: string
  mimeType: string
  size: number
  /** Hex SHA-256 of the stored bytes. */
  sha256: string
  /** The other form fields sent with the file. */
  fields: Record<string, string>
  idempotencyKey: string | null
  createdAt: number
}

/** A confirmed delivery. */
export interface DeliveryRow {
  id: string
  trackingNo: string
  /** Photo URL of the signature. */
  signature: string
  /** Photo URL of the parcel. */
  photo: string
  at: string
  idempotencyKey: string | null
  createdAt: number
}

/** A remembered `Idempotency-Key`. */
export interface IdempotencyRow {
  key: string
  /** Hex SHA-256 of the request's method, path and payload. */
  requestHash: string
  state: 'in_progress' | 'done'
  /** The stored answer's status; `null` while in progress. */
  status: number | null
  /** The stored answer's JSON text; `null` while in progress. */
  responseBody: string | null
  createdAt: number
}

/** How many rows each applied table holds. */
export interface RowCounts {
  visits: number
  deliveries: number
  photos: number
  statusChanges: number
}

interface VisitRecord {
  id: string
  customer_id: string
  notes: string
  photos: string
  at: string
  status: string
  idempotency_key: string | null
  created_at: number
}

interface PhotoRecord {
  id: string
  file: string
  field: string
  filename: string
  mime_type: string
  size: number
  sha256: string
  fields: string
  idempotency_key: string | null
  created_at: number
}

interface DeliveryRecord {
  id: string
  tracking_no: string
  signature: string
  photo: string
  at: string
  idempotency_key: string | null
  created_at: number
}

interface StatusChangeRecord {
  id: number
  visit_id: string
  status: string
  idempotency_key: string | null
  created_at: number
}

interface IdempotencyRecord {
  key: string
  fingerprint: string
  state: 'in_progress' | 'done'
  status: number | null
  body: Buffer | null
  created_at: number
}

/** The first manifest version; `POST /admin/manifest/bump` moves it on. */
const FIRST_MANIFEST_VERSION = 1

/**
 * The database of one demo server. Open it with {@link openDatabase}; all
 * methods are synchronous.
 */
export class DemoDatabase {
  /** The underlying better-sqlite3 connection, for ad-hoc queries and transactions. */
  readonly sqlite: Database.Database

  constructor(
    sqlite: Database.Database,
    /** The directory photo files are relative to. */
    private readonly dataDir: string,
  ) {
    this.sqlite = sqlite
  }

  /** Customers whose id, name, contact or address contains `query` (all when empty). */
  customers(query = ''): Customer[] {
    const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    return this.sqlite
      .prepare<[string, string, string, string], Customer>(
        `SELECT id, name, contact, phone, address FROM customers
         WHERE id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR contact LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\'
         ORDER BY id`,
      )
      .all(like, like, like, like)
  }

  /** One customer, or `undefined`. */
  customer(id: string): Customer | undefined {
    return this.sqlite.prepare<[string], Customer>('SELECT id, name, contact, phone, address FROM customers WHERE id = ?').get(id)
  }

  /** Today's parcels in route order. */
  routeStops(): RouteStop[] {
    return this.sqlite
      .prepare<[], RouteStop>('SELECT tracking_no AS trackingNo, recipient, phone, address FROM route_stops ORDER BY seq')
      .all()
  }

  /** Tracking numbers that have at least one confirmed delivery. */
  deliveredTrackingNumbers(): Set<string> {
    const rows = this.sqlite.prepare<[], { tracking_no: string }>('SELECT DISTINCT tracking_no FROM deliveries').all()
    return new Set(rows.map((row) => row.tracking_no))
  }

  /** The current precache manifest version number. */
  manifestVersion(): number {
    const row = this.sqlite.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'manifest_version'").get()
    return row ? Number(row.value) : FIRST_MANIFEST_VERSION
  }

  /** Moves the manifest version on by one and returns the new number. */
  bumpManifestVersion(): number {
    const next = this.manifestVersion() + 1
    this.sqlite.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('manifest_version', ?)").run(String(next))
    return next
  }

  insertVisit(visit: VisitRow): void {
    this.sqlite
      .prepare(
        `INSERT INTO visits (id, customer_id, notes, photos, at, status, idempotency_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(visit.id, visit.customerId, visit.notes, JSON.stringify(visit.photos), visit.at, visit.status, visit.idempotencyKey, visit.createdAt)
  }

  visit(id: string): VisitRow | undefined {
    const record = this.sqlite.prepare<[string], VisitRecord>('SELECT * FROM visits WHERE id = ?').get(id)
    return record && toVisit(record)
  }

  /** Sets a visit's status and records the change. */
  changeVisitStatus(change: Omit<StatusChangeRow, 'id'>): void {
    this.sqlite.prepare('UPDATE visits SET status = ? WHERE id = ?').run(change.status, change.visitId)
    this.sqlite
      .prepare('INSERT INTO visit_status_changes (visit_id, status, idempotency_key, created_at) VALUES (?, ?, ?, ?)')
      .run(change.visitId, change.status, change.idempotencyKey, change.createdAt)
  }

  /** @param photo - `path` must lie inside the data directory. */
  insertPhoto(photo: PhotoRow): void {
    this.sqlite
      .prepare(
        `INSERT INTO photos (id, file, field, filename, mime_type, size, sha256, fields, idempotency_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        photo.id,
        path.relative(this.dataDir, photo.path),
        photo.field,
        photo.filename,
        photo.mimeType,
        photo.size,
        photo.sha256,
        JSON.stringify(photo.fields),
        photo.idempotencyKey,
        photo.createdAt,
      )
  }

  photo(id: string): PhotoRow | undefined {
    const record = this.sqlite.prepare<[string], PhotoRecord>('SELECT * FROM photos WHERE id = ?').get(id)
    return record && this.toPhoto(record)
  }

  insertDelivery(delivery: DeliveryRow): void {
    this.sqlite
      .prepare(
        `INSERT INTO deliveries (id, tracking_no, signature, photo, at, idempotency_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(delivery.id, delivery.trackingNo, delivery.signature, delivery.photo, delivery.at, delivery.idempotencyKey, delivery.createdAt)
  }

  /** How many rows each applied table holds. */
  counts(): RowCounts {
    const count = (table: string): number =>
      this.sqlite.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0
    return {
      visits: count('visits'),
      deliveries: count('deliveries'),
      photos: count('photos'),
      statusChanges: count('visit_status_changes'),
    }
  }

  /** Every visit, oldest first. */
  visits(): VisitRow[] {
    return this.sqlite.prepare<[], VisitRecord>('SELECT * FROM visits ORDER BY created_at, rowid').all().map(toVisit)
  }

  /** Every applied status change, oldest first. */
  statusChanges(): StatusChangeRow[] {
    return this.sqlite
      .prepare<[], StatusChangeRecord>('SELECT * FROM visit_status_changes ORDER BY id')
      .all()
      .map((r) => ({ id: r.id, visitId: r.visit_id, status: r.status, idempotencyKey: r.idempotency_key, createdAt: r.created_at }))
  }

  /** Every photo, oldest first. */
  photos(): PhotoRow[] {
    return this.sqlite.prepare<[], PhotoRecord>('SELECT * FROM photos ORDER BY created_at, rowid').all().map((r) => this.toPhoto(r))
  }

  /** Every delivery, oldest first. */
  deliveries(): DeliveryRow[] {
    return this.sqlite
      .prepare<[], DeliveryRecord>('SELECT * FROM deliveries ORDER BY created_at, rowid')
      .all()
      .map((r) => ({
        id: r.id,
        trackingNo: r.tracking_no,
        signature: r.signature,
        photo: r.photo,
        at: r.at,
        idempotencyKey: r.idempotency_key,
        createdAt: r.created_at,
      }))
  }

  /** Every remembered idempotency key, oldest first. */
  idempotencyRows(): IdempotencyRow[] {
    return this.sqlite
      .prepare<[], IdempotencyRecord>(`SELECT * FROM ${IDEMPOTENCY_TABLE} ORDER BY created_at, rowid`)
      .all()
      .map((r) => ({
        key: r.key,
        requestHash: r.fingerprint,
        state: r.state,
        status: r.status,
        responseBody: r.body === null ? null : r.body.toString('utf8'),
        createdAt: r.created_at,
      }))
  }

  /** Closes the connection; nothing may be called afterwards. */
  close(): void {
    this.sqlite.close()
  }

  private toPhoto(r: PhotoRecord): PhotoRow {
    return {
      id: r.id,
      path: path.join(this.dataDir, r.file),
      field: r.field,
      filename: r.filename,
      mimeType: r.mime_type,
      size: r.size,
      sha256: r.sha256,
      fields: JSON.parse(r.fields) as Record<string, string>,
      idempotencyKey: r.idempotency_key,
      createdAt: r.created_at,
    }
  }
}

function toVisit(r: VisitRecord): VisitRow {
  return {
    id: r.id,
    customerId: r.customer_id,
    notes: r.notes,
    photos: JSON.parse(r.photos) as string[],
    at: r.at,
    status: r.status,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
  }
}

/**
 * Opens (creating if needed) the database in `dataDir`, applies the schema
 * and seeds customers and today's route. Seeding is `INSERT OR IGNORE`, so
 * reopening keeps what an earlier run wrote.
 */
export function openDatabase(dataDir: string): DemoDatabase {
  const sqlite = new Database(path.join(dataDir, DATABASE_FILE))
  // WAL: readers (a test's checks) never block the writer, and a commit is one fsync'd append.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.exec(SCHEMA)
  const seed = sqlite.transaction(() => {
    const customer = sqlite.prepare('INSERT OR IGNORE INTO customers (id, name, contact, phone, address) VALUES (?, ?, ?, ?, ?)')
    for (const c of CUSTOMERS) customer.run(c.id, c.name, c.contact, c.phone, c.address)
    const stop = sqlite.prepare('INSERT OR IGNORE INTO route_stops (tracking_no, seq, recipient, phone, address) VALUES (?, ?, ?, ?, ?)')
    ROUTE_STOPS.forEach((s, i) => stop.run(s.trackingNo, i + 1, s.recipient, s.phone, s.address))
    sqlite.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('manifest_version', ?)").run(String(FIRST_MANIFEST_VERSION))
  })
  seed()
  return new DemoDatabase(sqlite, dataDir)
}
