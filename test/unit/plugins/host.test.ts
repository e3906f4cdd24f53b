import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PluginHost} from '../../../src/agent/plugins/host.js'
import {ROOT} from '../../helpers/agent.js'
import {createFakeEnv} from '../registry/fake-env.js'

/** A plugin file that records what the agent calls into a global, so the test can read it back. */
function pluginFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dc-host-'))
  const path = join(dir, 'plugin.mjs')
  writeFileSync(path, body)
  return path
}

describe('plugin host', () => {
  it('delivers user events to every handler; a throwing one is logged and the others still run', async () => {
    const env = createFakeEnv(1)
    const path = pluginFile(`
      globalThis.__dcEvents = []
      export default {apiVersion: 1, register(api) {
        api.onEvent(() => { throw new Error('handler broke') })
        api.onEvent(async (ev, env) => { globalThis.__dcEvents.push(ev.name + ':' + Buffer.from(ev.payload).toString() + '@' + env.nodeName) })
      }}`)
    const host = await PluginHost.start({entries: [{name: path, config: {}, optional: false}], env, log: env.log, nodeName: 'n1', datacenter: 'dc1'})
    host.deliverEvent({id: 'e1', name: 'deploy', payload: Buffer.from('v42'), ltime: 3})
    await new Promise((r) => setImmediate(r))
    expect((globalThis as {__dcEvents?: string[]}).__dcEvents).toEqual(['deploy:v42@n1'])
    expect(env.logs).toContainEqual(expect.objectContaining({level: 'warn', msg: 'plugin event handler failed', fields: expect.objectContaining({error: 'handler broke', event: 'deploy'})}))
    expect(host.stats()).toMatchObject({api_version: '1', [`plugin.${path}`]: 'version=- path=' + path + ' check_types=- join_providers=- event_handlers=2'})
  })

  it('on reload, reconfigures plugins whose config changed and names their check types; says what needs a restart', async () => {
    const env = createFakeEnv(1)
    const path = pluginFile(`
      globalThis.__dcConfigs = []
      export default {apiVersion: 1,
        register(api) { api.checkType({name: 'rc', create: () => ({check: () => ({status: 'passing', output: ''})})}) },
        reconfigure(c) { if (c.bad) throw new Error('bad value'); globalThis.__dcConfigs.push(c) }}`)
    const fixed = pluginFile('export default {apiVersion: 1, register() {}}')
    const host = await PluginHost.start({entries: [{name: path, config: {a: 1}, optional: false}, {name: fixed, config: {}, optional: false}], env, log: env.log, nodeName: 'n1', datacenter: 'dc1'})
    expect(await host.reload([{name: path, config: {a: 1}, optional: false}, {name: fixed, config: {}, optional: false}])).toEqual([])
    expect(await host.reload([{name: path, config: {a: 2}, optional: false}, {name: fixed, config: {x: 1}, optional: false}, {name: 'new-one', config: {}, optional: false}])).toEqual(['rc'])
    expect((globalThis as {__dcConfigs?: unknown[]}).__dcConfigs).toEqual([{a: 2}])
    expect(await host.reload([{name: path, config: {bad: true}, optional: false}])).toEqual([])
    const said = env.logs.map((l) => l.msg).join('\n')
    expect(said).toMatch(/plugin ".*plugin\.mjs" cannot change its config while running; restart the agent to apply it/)
    expect(said).toMatch(/plugin "new-one" was added to the config; plugins are loaded at start: restart the agent to load it/)
    expect(said).toMatch(/was removed from the config; it stays loaded until the agent restarts/)
    expect(said).toMatch(/refused its new config, keeping the old one: bad value/)
  })
})

describe('the package', () => {
  it("exports the plugin API as dc/plugin (built), with the version constant", () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('dc/plugin'); console.log(m.PLUGIN_API_VERSION, import.meta.resolve('dc/plugin'))"], {cwd: ROOT, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^1 file:\/\/\S+\/dist\/plugin\.js\n$/)
  })

  it("the example plugin's own tests pass (node --test, against the plugin API only)", () => {
    const r = spawnSync(process.execPath, ['--test', 'test/'], {cwd: join(ROOT, 'examples/plugins/file-age-check'), encoding: 'utf8', timeout: 60_000})
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/# pass 4\n# fail 0/)
  })
})
