import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Page} from 'playwright-core'
import {startAgent, type RunningAgent} from '../../helpers/agent.js'
import {HAS_CHROMIUM, SHOT_DIR, SKIP_REASON, launchBrowser, type Browser} from '../../helpers/browser.js'
import {getJson, put, seed} from './seed.js'

/**
 * The web UI in headless Chromium against a real agent (-ui, ephemeral port): each
 * page shows the seeded data, changes arrive without a reload, KV edits are CAS-checked.
 * Every wait is bounded (selector/function timeouts), none is a fixed sleep.
 */
const UPDATE_MS = 3000

let agent: RunningAgent
let browser: Browser
let session: string
let lockSession: string

describe.skipIf(!HAS_CHROMIUM)(`web UI in Chromium${HAS_CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  beforeAll(async () => {
    agent = await startAgent({args: ['-ui']})
    ;({session, lockSession} = await seed(agent))
    browser = await launchBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await agent?.stop()
    agent?.cleanup()
  })

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    page.setDefaultTimeout(10_000)
    ;(page as Page & {errors: string[]}).errors = errors
    await page.goto(`${agent.url}${path}`)
    return page
  }
  const shot = (page: Page, name: string) => page.screenshot({path: join(SHOT_DIR, `${name}.png`), fullPage: true})
  // Browser-side expressions are strings: the Node tsconfig has no DOM types.
  const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim()

  it('/ redirects to /ui/, which lands on this datacenter\'s services', async () => {
    const page = await open('/')
    await page.waitForURL(/\/ui\/dc1\/services$/, {timeout: 10_000})
    await page.close()
  })

  it('Services: instance counts, health summary, search and tag filter', async () => {
    const page = await open('/ui/dc1/services')
    await page.waitForSelector('tr[data-service="web"] td.num:text("2")', {timeout: 10_000})
    expect(await page.locator('tbody tr').count()).toBe(4) // consul, web, db, cache
    expect(await text(page, 'tr[data-service="web"] .count.critical')).toBe('1 critical') // web-ext on the failed node
    expect(await text(page, 'tr[data-service="web"] .count.passing')).toBe('1 passing')
    expect(await text(page, 'tr[data-service="db"] td.num')).toBe('1')
    await shot(page, 'services')
    // A new instance on another node shows up in the count without a reload.
    await put(agent, '/v1/catalog/register', {Node: 'ext-ok', Address: '10.0.0.6', Service: {Service: 'db', ID: 'db-2', Port: 5433}})
    await page.waitForSelector('tr[data-service="db"] td.num:text("2")', {timeout: UPDATE_MS})
    await page.fill('input[type=search]', 'ca')
    await page.waitForFunction("document.querySelectorAll('tbody tr').length === 1", undefined, {timeout: UPDATE_MS})
    expect(await text(page, 'tbody tr td a')).toBe('cache')
    expect(page.url()).toContain('?q=ca')
    await page.fill('input[type=search]', '')
    await page.selectOption('select[aria-label="Filter by tag"]', 'pg')
    await page.waitForFunction("document.querySelectorAll('tbody tr').length === 1", undefined, {timeout: UPDATE_MS})
    expect(await text(page, 'tbody tr td a')).toBe('db')
    await page.close()
  })

  it('Service page: instances with node, address:port, tags, meta, checks; a failed check shows without reload', async () => {
    const page = await open('/ui/dc1/services/web')
    await page.waitForSelector('[data-instance="web-1"]', {timeout: 10_000})
    const inst = page.locator('[data-instance="web-1"]')
    expect(await inst.locator('dd.mono').first().textContent()).toBe('127.0.0.1:8080')
    expect(await inst.locator('.tag').allTextContents()).toEqual(['primary', 'v1'])
    expect(await inst.locator('table.meta').textContent()).toContain('version1.2')
    expect(await inst.locator('[data-check-id="web-ttl"] .output').textContent()).toBe('all good')
    expect(await page.locator('[data-instance="web-ext"] a').first().textContent()).toBe('ext-failed')
    await shot(page, 'service')

    const started = Date.now()
    await put(agent, '/v1/agent/check/fail/web-ttl?note=disk%20full')
    await page.waitForSelector('[data-check-id="web-ttl"].critical .output:text("disk full")', {timeout: UPDATE_MS})
    const ms = Date.now() - started
    console.log(`[ui] failed TTL check visible on the service page after ${ms} ms`)
    expect(await inst.getAttribute('class')).toContain('critical')
    await shot(page, 'service-check-failed')
    await put(agent, '/v1/agent/check/pass/web-ttl?note=all%20good')
    await page.waitForSelector('[data-check-id="web-ttl"].passing', {timeout: UPDATE_MS})
    await page.close()
  })

  it('Nodes: the failed node stands out and sorts first; node page lists and invalidates lock sessions', async () => {
    const page = await open('/ui/dc1/nodes')
    await page.waitForSelector('tr[data-node="ext-failed"].failed', {timeout: 10_000})
    expect(await page.locator('tbody tr').first().getAttribute('data-node')).toBe('ext-failed')
    expect(await text(page, 'tr[data-node="ext-failed"] .failed-label')).toBe('failed')
    expect(await text(page, 'tr[data-node="ext-ok"] td.mono')).toBe('10.0.0.6')
    await page.waitForSelector('tr[data-node="test-node"] td.wide:text("consul, db, web")', {timeout: UPDATE_MS})
    await shot(page, 'nodes')

    await page.click('a:text-is("ext-failed")')
    await page.waitForURL(/\/ui\/dc1\/nodes\/ext-failed$/, {timeout: UPDATE_MS})
    await page.waitForSelector('table.meta:has-text("rack")', {timeout: UPDATE_MS})
    await shot(page, 'node-failed')

    await page.goto(`${agent.url}/ui/dc1/nodes/test-node`)
    await page.waitForSelector(`tr[data-session="${session}"]`, {timeout: 10_000})
    expect(await text(page, `tr[data-session="${session}"]`)).toContain('ui-spare')
    expect(await page.locator(`tr[data-session="${lockSession}"]`).count()).toBe(1)
    await shot(page, 'node')
    await page.click(`tr[data-session="${session}"] button:text("Invalidate")`)
    await page.waitForSelector(`tr[data-session="${session}"]`, {state: 'detached', timeout: UPDATE_MS})
    expect(await getJson(agent, `/v1/session/info/${session}`)).toEqual([])
    await page.close()
  })

  it('Key/Value: folders, JSON pretty-printed, binary as base64, flags and lock session shown', async () => {
    const page = await open('/ui/dc1/kv/')
    await page.waitForSelector('li[data-key="app/"]', {timeout: 10_000})
    expect(await page.locator('.kv-list li').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual(['app/', 'blob', 'locks/'])
    await shot(page, 'kv-root')
    await page.click('li[data-key="app/"] a')
    await page.waitForSelector('li[data-key="app/config.json"]', {timeout: UPDATE_MS})
    expect(await page.locator('li[data-key="app/sub/"]').count()).toBe(1)
    await page.check('text=Show all keys below')
    await page.waitForURL(/\?recurse$/, {timeout: UPDATE_MS})
    await shot(page, 'kv-folder-recursive')

    await page.goto(`${agent.url}/ui/dc1/kv/app/config.json/edit`)
    await page.waitForSelector('pre.value[data-view="json"]', {timeout: 10_000})
    expect(await text(page, 'pre.value')).toBe('{\n  "replicas": 3,\n  "features": [\n    "a",\n    "b"\n  ]\n}')
    await shot(page, 'kv-edit-json')

    await page.goto(`${agent.url}/ui/dc1/kv/blob/edit`)
    await page.waitForSelector('pre.value[data-view="binary"]', {timeout: 10_000})
    expect(await text(page, 'pre.value')).toBe(Buffer.from([0, 1, 2, 0xff]).toString('base64'))

    await page.goto(`${agent.url}/ui/dc1/kv/app/name/edit`)
    await page.waitForSelector('[data-field="flags"]', {timeout: 10_000})
    expect(await text(page, '[data-field="flags"]')).toBe('42')

    await page.goto(`${agent.url}/ui/dc1/kv/locks/leader/edit`)
    await page.waitForSelector(`dd:has-text("${lockSession} on test-node (ui-lock)")`, {timeout: 10_000})
    await shot(page, 'kv-locked')
    await page.close()
  })

  it('Key/Value: create, edit with flags kept, a concurrent change reported (not overwritten), delete', async () => {
    const page = await open('/ui/dc1/kv/app/create')
    await page.waitForSelector('#kv-name', {timeout: 10_000})
    await page.fill('#kv-name', 'feature')
    await page.fill('#kv-value', 'on')
    await page.fill('input.flags', '7')
    await shot(page, 'kv-create')
    await page.click('button:text("Create key")')
    await page.waitForURL(/\/kv\/app\/feature\/edit$/, {timeout: UPDATE_MS})
    expect(await getJson(agent, '/v1/kv/app/feature')).toMatchObject([{Key: 'app/feature', Flags: 7, Value: Buffer.from('on').toString('base64')}])

    // Creating the same key again must not replace it (cas=0).
    await page.goto(`${agent.url}/ui/dc1/kv/app/create`)
    await page.fill('#kv-name', 'feature')
    await page.fill('#kv-value', 'clobbered')
    await page.click('button:text("Create key")')
    await page.waitForSelector('[role=alert]:has-text("already exists")', {timeout: UPDATE_MS})
    expect(await (await fetch(`${agent.url}/v1/kv/app/feature?raw`)).text()).toBe('on')

    await page.goto(`${agent.url}/ui/dc1/kv/app/feature/edit`)
    await page.waitForSelector('#kv-value', {timeout: 10_000})
    await page.fill('#kv-value', 'off')
    await page.click('form.editor button[type=submit]')
    await page.waitForSelector('text=Saved.', {timeout: UPDATE_MS})
    expect(await getJson(agent, '/v1/kv/app/feature')).toMatchObject([{Flags: 7, Value: Buffer.from('off').toString('base64')}])

    // Someone else writes while this user is editing: the save is refused and reported.
    await page.fill('#kv-value', 'mine')
    await put(agent, '/v1/kv/app/feature?flags=7', 'theirs')
    await page.click('form.editor button[type=submit]')
    await page.waitForSelector('.conflict:has-text("changed by someone else")', {timeout: UPDATE_MS})
    expect(await (await fetch(`${agent.url}/v1/kv/app/feature?raw`)).text()).toBe('theirs')
    expect(await page.inputValue('#kv-value')).toBe('mine')
    await shot(page, 'kv-conflict')
    await page.click('button:text("Discard my edit and load the latest value")')
    expect(await page.inputValue('#kv-value')).toBe('theirs')

    // Conflict again, and this time the user chooses to overwrite: a new CAS at the index shown.
    await page.fill('#kv-value', 'mine again')
    await put(agent, '/v1/kv/app/feature?flags=7', 'theirs again')
    await page.click('form.editor button[type=submit]')
    await page.waitForSelector('.conflict', {timeout: UPDATE_MS})
    await page.click('button:text("Overwrite with my edit")')
    await page.waitForSelector('text=Saved.', {timeout: UPDATE_MS})
    expect(await getJson(agent, '/v1/kv/app/feature')).toMatchObject([{Flags: 7, Value: Buffer.from('mine again').toString('base64')}])

    await page.click('button:text("Delete")')
    await page.waitForURL(/\/kv\/app\/$/, {timeout: UPDATE_MS})
    expect((await fetch(`${agent.url}/v1/kv/app/feature`)).status).toBe(404)
    await page.waitForSelector('li[data-key="app/feature"]', {state: 'detached', timeout: UPDATE_MS})

    // A folder: created with a trailing slash, deleted with everything below it.
    await page.goto(`${agent.url}/ui/dc1/kv/create`)
    await page.fill('#kv-name', 'tmp/')
    await page.click('button:text("Create folder")')
    await page.waitForURL(/\/kv\/tmp\/$/, {timeout: UPDATE_MS})
    await put(agent, '/v1/kv/tmp/inner', 'x')
    await page.goto(`${agent.url}/ui/dc1/kv/`)
    await page.click('li[data-key="tmp/"] button:text("Delete")')
    await page.waitForSelector('li[data-key="tmp/"]', {state: 'detached', timeout: UPDATE_MS})
    expect((await fetch(`${agent.url}/v1/kv/tmp/?recurse`)).status).toBe(404)
    await page.close()
  })

  it('Cluster: members and Raft peers exactly as the API reports them', async () => {
    const page = await open('/ui/dc1/cluster')
    const lan = await getJson<{Name: string}[]>(agent, '/v1/agent/members')
    const raft = await getJson<{Servers: {Node: string; Leader: boolean}[]}>(agent, '/v1/operator/raft/configuration')
    await page.waitForSelector('[data-section="raft"] tr[data-peer]', {timeout: 10_000})
    await page.waitForSelector('[data-section="lan"] tr[data-member]', {timeout: 10_000})
    expect(await page.locator('[data-section="lan"] tr[data-member]').evaluateAll((els) => els.map((e) => e.getAttribute('data-member')))).toEqual(lan.map((m) => m.Name).sort())
    expect(await page.locator('[data-section="raft"] tr[data-peer]').count()).toBe(raft.Servers.length)
    const leader = raft.Servers.find((s) => s.Leader)!
    expect(await text(page, `tr[data-peer="${leader.Node}"]`)).toContain('leader')
    await shot(page, 'cluster')
    await page.close()
  })

  it('switches datacenter when the catalog lists several, and shows the agent\'s answer for it', async () => {
    // This agent knows one datacenter; the page is shown a second one to exercise the switcher.
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    await page.route('**/v1/catalog/datacenters*', (route) => route.fulfill({status: 200, contentType: 'application/json', body: '["dc1","dc2"]'}))
    await page.goto(`${agent.url}/ui/dc1/nodes`)
    await page.waitForSelector('select[aria-label="Datacenter"]')
    const asked = page.waitForRequest((r) => r.url().includes('/v1/catalog/nodes?dc=dc2'))
    await page.selectOption('select[aria-label="Datacenter"]', 'dc2')
    await page.waitForURL(/\/ui\/dc2\/nodes$/, {timeout: UPDATE_MS})
    await asked
    // dc has no WAN yet: the agent's own error is shown, nothing is made up.
    await page.waitForSelector('[role=alert]:has-text("No path to datacenter")', {timeout: UPDATE_MS})
    expect(await page.locator('tbody tr').count()).toBe(0)
    expect(await page.locator('text=No nodes registered').count()).toBe(0)
    await shot(page, 'dc-switch')
    await page.close()
  })

  it('keeps the ACL token in localStorage and sends it as X-Consul-Token', async () => {
    const page = await open('/ui/dc1/services')
    await page.click('summary:text("Token")')
    await page.fill('#acl-token', 'secret-token-1')
    await page.click('.token-menu button[type=submit]')
    const sent = await page.waitForRequest((r) => r.url().includes('/v1/') && r.headers()['x-consul-token'] === 'secret-token-1', {timeout: UPDATE_MS})
    expect(sent.url()).toContain('/v1/')
    await page.reload()
    await page.waitForRequest((r) => r.url().includes('/v1/') && r.headers()['x-consul-token'] === 'secret-token-1', {timeout: UPDATE_MS})
    expect(await page.evaluate("localStorage.getItem('dc:token')")).toBe('secret-token-1')
    await page.evaluate("localStorage.removeItem('dc:token')")
    await page.close()
  })

  it('works at phone width and in dark mode, and reloads deep links', async () => {
    const page = await open('/ui/dc1/services/web')
    await page.setViewportSize({width: 390, height: 844})
    await page.emulateMedia({colorScheme: 'dark'})
    await page.reload()
    await page.waitForSelector('[data-instance="web-1"]', {timeout: 10_000})
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor')
    expect(bg).toBe('rgb(15, 18, 22)')
    // Nothing wider than the screen: the page does not scroll sideways.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await shot(page, 'service-phone-dark')
    expect((page as Page & {errors: string[]}).errors).toEqual([])
    await page.close()
  })

  it('is keyboard accessible: skip link, section links in tab order, focus on the new heading', async () => {
    const page = await open('/ui/dc1/services')
    await page.waitForSelector('tbody tr', {timeout: 10_000})
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Services')
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Nodes')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/ui\/dc1\/nodes$/, {timeout: UPDATE_MS})
    // Focus moves to the new page's heading.
    await page.waitForFunction("document.activeElement?.id === 'page-title' && document.activeElement.textContent === 'Nodes'", undefined, {timeout: UPDATE_MS})
    await page.close()
  })
})
