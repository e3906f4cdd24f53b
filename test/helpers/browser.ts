import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext} from 'playwright-core'
import {ROOT} from './agent.js'

/** Debian's chromium package; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM)
export const SKIP_REASON = `skipped: ${CHROMIUM} not found (apt-get install -y chromium)`
// The default reporter lists a wholly skipped file without its test names: say why here.
if (!HAS_CHROMIUM) console.warn(`web UI browser tests ${SKIP_REASON}`)

/** Screenshots land here (gitignored). */
export const SHOT_DIR = join(ROOT, 'test-output', 'ui')

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Headless chromium with a fresh profile directory, removed on close. */
export async function launchBrowser(viewport = {width: 1280, height: 800}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'dc-chromium-'))
  mkdirSync(SHOT_DIR, {recursive: true})
  const context = await chromium.launchPersistentContext(profile, {executablePath: CHROMIUM, args: ARGS, viewport, headless: true})
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
    },
  }
}
