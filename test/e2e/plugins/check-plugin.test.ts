import {spawnSync} from 'node:child_process'
import {mkdtempSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, RUN_JS, startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'

const PLUGIN_DIR = join(ROOT, 'examples', 'plugins')

interface Check {CheckID: string; Status: string; Output: string; Type: string}

describe('an agent with the example file-age plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dc-plugin-e2e-'))
  const beat = join(dir, 'app.beat')
  const confDir = join(dir, 'conf')
  let agent: RunningAgent
  const writeConfig = (defaultMaxAge: string) => writeFileSync(join(confDir, 'plugins.json'), JSON.stringify({
    plugin_dir: PLUGIN_DIR,
    plugins: [{name: 'file-age-check', config: {default_max_age: defaultMaxAge}}],
    service: {name: 'app', id: 'app-1', port: 8080, checks: [
      {id: 'beat', type: 'file-age', path: beat, max_age: '3s', interval: '1s'},
      // No max_age: the plugin's config decides, and a reload changes it.
      {id: 'beat-default', type: 'file-age', path: beat, interval: '1s'},
    ]},
  }))
  const checks = async (): Promise<Record<string, Check>> => (await (await fetch(`${agent.url}/v1/agent/checks`)).json()) as Record<string, Check>
  const status = (id: string, want: string) => waitFor(async () => ((await checks())[id]?.Status === want ? (await checks())[id] : undefined), 15_000, 100)
  const age = (seconds: number) => {
    const t = Date.now() / 1000 - seconds
    utimesSync(beat, t, t)
  }

  beforeAll(async () => {
    spawnSync('mkdir', ['-p', confDir])
    writeFileSync(beat, '')
    writeConfig('1h')
    agent = await startAgent({dev: true, bind: '127.0.0.86', node: 'plug', args: ['-config-dir', confDir]})
  })
  afterAll(async () => {
    await agent?.stop()
  })

  it("logs the plugin's version and resolved path at start", () => {
    expect(agent.output()).toMatch(/plugin loaded.*plugin=file-age-check.*version=1\.0\.0.*path=\S*examples\/plugins\/file-age-check\/index\.js.*check_types=file-age/)
  })

  it('reports what is loaded under plugins in /v1/agent/self (dc info)', async () => {
    const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as {Stats: {plugins: Record<string, string>}}
    expect(self.Stats.plugins).toMatchObject({
      api_version: '1',
      check_types: 'alias,file-age,http,script,tcp,ttl',
      join_providers: 'dns,file',
      'plugin.file-age-check': expect.stringMatching(/^version=1\.0\.0 path=\S+file-age-check\/index\.js check_types=file-age join_providers=- event_handlers=0$/),
    })
  })

  it("the service's check follows the watched file: passing while fresh, critical when stale, passing again", async () => {
    age(0)
    const fresh = await status('beat', 'passing')
    expect(fresh).toMatchObject({Type: 'file-age', Output: expect.stringMatching(/app\.beat was modified .* ago \(max_age 3s\)/)})
    age(60)
    expect((await status('beat', 'critical')).Output).toMatch(/app\.beat was modified 6\d(\.\d)?s ago \(max_age 3s\)/)
    age(0)
    await status('beat', 'passing')
  })

  it('SIGHUP applies a changed plugin config to its checks', async () => {
    age(60)
    await status('beat-default', 'passing') // default_max_age 1h
    writeConfig('10s')
    agent.proc.kill('SIGHUP')
    expect((await status('beat-default', 'critical')).Output).toMatch(/max_age 10s/)
    age(0)
  })

  it('refuses a check of a type no plugin provides with 400 listing the known types', async () => {
    const r = await fetch(`${agent.url}/v1/agent/check/register`, {method: 'PUT', body: JSON.stringify({Name: 'g', GRPC: '127.0.0.1:9', Interval: '5s'})})
    expect(r.status).toBe(400)
    expect(await r.text()).toMatch(/grpc checks \(field GRPC\) are not built in to dc, and no loaded plugin provides check type "grpc".*Known check types: alias, file-age, http, script, tcp, ttl/)
    const ok = await fetch(`${agent.url}/v1/agent/check/register`, {method: 'PUT', body: JSON.stringify({Name: 'api-beat', Type: 'file-age', Path: beat, MaxAge: '1m', Interval: '1s'})})
    expect(ok.status).toBe(200)
    await status('api-beat', 'passing')
    const bad = await fetch(`${agent.url}/v1/agent/check/register`, {method: 'PUT', body: JSON.stringify({Name: 'x', Type: 'file-age', Interval: '1s'})})
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/Invalid check: file-age: path is required/)
  })
})

describe('plugins that cannot load', () => {
  const run = (plugins: unknown[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-plugin-bad-'))
    writeFileSync(join(dir, 'c.json'), JSON.stringify({plugin_dir: PLUGIN_DIR, plugins}))
    return spawnSync(process.execPath, [RUN_JS, 'agent', '-dev', '-bind=127.0.0.87', '-client=127.0.0.87', '-http-port=0', '-dns-port=-1', '-serf-lan-port=-1', '-serf-wan-port=-1', '-server-port=-1', '-config-dir', dir],
      {encoding: 'utf8', timeout: 20_000, env: {...process.env, NO_COLOR: '1'}})
  }

  it('a missing required plugin stops start-up with one line naming it and what to do', () => {
    const r = run([{name: 'dc-plugin-nope'}])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe(`==> Error starting agent: plugin "dc-plugin-nope" not found in plugin_dir ${PLUGIN_DIR} or node_modules; install it (npm install dc-plugin-nope) or fix its name`)
  })

  it('a wrong config type is refused before anything starts', () => {
    const r = run([{name: 'file-age-check', config: 'fast'}])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/plugins\[0\]\.config \(plugin "file-age-check"\): expected an object, got "fast"/)
  })
})
