/** Finding the server binaries a suite needs; a missing one fails the suite by name. */
import { existsSync } from 'fs'
import * as path from 'path'

const SEARCH = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/lib/postgresql/15/bin', '/usr/sbin', '/usr/bin']

/** The full path of `name`. @throws naming the binary and how to get it, when it is nowhere. */
export function requireBinary(name: string, hint: string): string {
  for (const dir of SEARCH) {
    const candidate = path.join(dir, name)
    if (dir && existsSync(candidate)) return candidate
  }
  throw new Error(`missing server binary: ${name} is not installed (${hint}); this suite cannot run without it`)
}
