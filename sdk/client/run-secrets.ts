import { SECRET_HEADERS } from '../queue/stored-request'

/** The secret headers (`Authorization`, `Cookie`) among `header`, by their given names. */
export function secretHeadersIn(header: Record<string, string> | undefined): Record<string, string> {
  const secrets: Record<string, string> = {}
  for (const [name, value] of Object.entries(header ?? {})) {
    if (SECRET_HEADERS.includes(name.toLowerCase())) secrets[name] = value
  }
  return secrets
}

/**
 * Secret headers an app gave on a request itself, kept in memory only, for
 * this run: they are never written to storage, yet a request queued offline
 * and replayed before the app dies still carries them. After a restart they
 * are gone and the `headers` provider stands in.
 */
export class RunSecrets {
  /** By entry id, then step index. */
  private readonly byEntry = new Map<string, Map<number, Record<string, string>>>()

  /** Keeps step `step`'s secrets of entry `id`; nothing is kept for a step without any. */
  keep(id: string, step: number, secrets: Record<string, string>): void {
    if (Object.keys(secrets).length === 0) return
    let steps = this.byEntry.get(id)
    if (!steps) {
      steps = new Map()
      this.byEntry.set(id, steps)
    }
    steps.set(step, secrets)
  }

  /** The secrets of a step, or `{}`. */
  of(id: string, step: number): Record<string, string> {
    return this.byEntry.get(id)?.get(step) ?? {}
  }

  has(id: string): boolean {
    return this.byEntry.has(id)
  }

  forget(id: string): void {
    this.byEntry.delete(id)
  }

  clear(): void {
    this.byEntry.clear()
  }
}
