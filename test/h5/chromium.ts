/**
 * Debian's chromium driven by playwright-core, started as this machine
 * allows (platform-facts): headless, no sandbox (root), no background
 * connections, a fresh profile every time.
 */
import { existsSync, mkdtempSync, rmSync } from 'fs'
import { tmpdir } from 'os'
import { join } from 'path'
import { chromium, type BrowserContext } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A running browser with its own profile; `close()` removes the profile too. */
export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Starts chromium; throws (never skips) when it is not installed: `apt-get install chromium`. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install chromium\``)
  const profile = mkdtempSync(join(tmpdir(), 'mpo-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 390, height: 700 },
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
