import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {startAgent, type RunningAgent} from '../../helpers/agent.js'
import {HAS_CHROMIUM, SHOT_DIR, SKIP_REASON, launchBrowser, type Browser} from '../../helpers/browser.js'

/** Its own agent, because this test kills it. */
describe.skipIf(!HAS_CHROMIUM)(`web UI when the agent goes away${HAS_CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  let agent: RunningAgent | undefined
  let browser: Browser | undefined
  afterAll(async () => {
    await browser?.close()
    await agent?.kill()
    agent?.cleanup()
  })

  it('shows a banner and keeps the last data on screen', async () => {
    agent = await startAgent({args: ['-ui']})
    browser = await launchBrowser()
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${agent.url}/ui/dc1/services`)
    await page.waitForSelector('tr[data-service="consul"]')
    expect(await page.locator('.banner').count()).toBe(0)
    const killed = Date.now()
    await agent.kill()
    // The open blocking queries fail at once; the banner must follow within a retry.
    await page.waitForSelector('.banner[role=alert]:has-text("Cannot reach the dc agent")', {timeout: 8000})
    console.log(`[ui] unreachable banner shown ${Date.now() - killed} ms after kill -9`)
    expect(await page.locator('tr[data-service="consul"]').count()).toBe(1)
    await page.screenshot({path: join(SHOT_DIR, 'unreachable.png'), fullPage: true})
  })
})
