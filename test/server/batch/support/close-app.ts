import type Database from 'better-sqlite3'
import { rmSync } from 'fs'
import type * as http from 'http'

/** Closes a test app: its connections and server, then its SQLite database and temp folder. */
export function closeApp(server: http.Server, db: Database.Database, dir: string): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
      resolve()
    })
  })
}
