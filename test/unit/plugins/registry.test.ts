import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {builtinPlugin} from '../../../src/agent/plugins/builtin.js'
import {parsePluginEntries} from '../../../src/agent/plugins/entries.js'
import {PluginError} from '../../../src/agent/plugins/errors.js'
import {loadPlugins, resolvePlugin} from '../../../src/agent/plugins/load.js'
import {PluginRegistry} from '../../../src/agent/plugins/registry.js'
import type {AgentPlugin, PluginEnv} from '../../../src/plugin.js'

const noop = () => {}
const env: PluginEnv = {nowMs: () => 0, wallMs: () => 0, after: () => ({cancel: noop}), log: {debug: noop, info: noop, warn: noop, error: noop}, nodeName: 'n', datacenter: 'dc1'}
const typeNamed = (name: string) => ({name, create: () => ({check: () => ({status: 'passing' as const, output: ''})})})

describe('plugin registry', () => {
  it("registers dc's own check types and join providers through the plugin API", () => {
    const r = new PluginRegistry()
    expect(r.addSync('builtin', builtinPlugin, env)).toEqual({checkTypes: ['alias', 'http', 'script', 'tcp', 'ttl'], joinProviders: ['file', 'dns'], eventHandlers: 0})
    expect(r.checkType('http')?.plugin).toBe('builtin')
    expect(r.joinProviderNames()).toEqual(['dns', 'file'])
  })

  it('refuses two plugins registering one name, naming both, and keeps the first intact', async () => {
    const r = new PluginRegistry()
    await r.add('a', {apiVersion: 1, register: (api) => api.checkType(typeNamed('redis'))}, {}, env)
    const second: AgentPlugin = {apiVersion: 1, register: (api) => {
      api.checkType(typeNamed('pg'))
      api.checkType(typeNamed('redis'))
    }}
    await expect(r.add('b', second, {}, env)).rejects.toThrow('check type "redis" is registered by both plugin "a" and plugin "b"; remove one of them from plugins')
    expect(r.checkTypeNames()).toEqual(['redis'])
    await r.add('c', {apiVersion: 1, register: (api) => api.joinProvider({name: 'k8s', discover: () => []})}, {}, env)
    await expect(r.add('d', {apiVersion: 1, register: (api) => api.joinProvider({name: 'k8s', discover: () => []})}, {}, env)).rejects.toThrow(/join provider "k8s" is registered by both plugin "c" and plugin "d"/)
  })

  it('turns a throwing register() into one line naming the plugin, and refuses late or malformed registrations', async () => {
    const r = new PluginRegistry()
    await expect(r.add('boom', {apiVersion: 1, register: () => {
      throw new Error('missing\nconfig.url')
    }}, {}, env)).rejects.toThrow('plugin "boom" failed while registering: missing config.url; fix its config or remove it from plugins')
    await expect(r.add('bad', {apiVersion: 1, register: (api) => api.checkType(typeNamed('Bad Name'))}, {}, env)).rejects.toThrow(/names are lower-case/)
    let kept: Parameters<AgentPlugin['register']>[0] | undefined
    await r.add('late', {apiVersion: 1, register: (api) => void (kept = api)}, {}, env)
    expect(() => kept!.checkType(typeNamed('later'))).toThrow(/registered after its register\(\) returned/)
  })
})

describe('plugin entries', () => {
  it('reads names, configs and optional flags', () => {
    expect(parsePluginEntries([{name: 'x', config: {a: 1}, optional: true}, 'y'])).toEqual([{name: 'x', config: {a: 1}, optional: true}, {name: 'y', config: {}, optional: false}])
  })
  it.each([
    [{}, /plugins must be a list/],
    [[{name: 3}], /plugins\[0\].name: expected/],
    [[{name: 'x', config: []}], /plugins\[0\].config \(plugin "x"\): expected an object/],
    [[{name: 'x', optional: 'yes'}], /optional/],
    [[{name: 'x', version: 2}], /unknown key "version"/],
  ])('refuses %j', (raw, message) => {
    expect(() => parsePluginEntries(raw)).toThrow(message)
  })
})

describe('plugin loading', () => {
  function pluginDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'dc-plugins-'))
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), {recursive: true})
      writeFileSync(join(dir, path), text)
    }
    return dir
  }
  const ok = `export default {apiVersion: 1, register(api) { api.checkType({name: 'ok', create: () => ({check: () => ({status: 'passing', output: String(api.config.greeting)})})}) }}`
  const dir = pluginDir({
    'good/package.json': JSON.stringify({name: 'good', version: '2.3.4', type: 'module', exports: {'.': {import: './lib/main.js'}}}),
    'good/lib/main.js': ok,
    'v2/package.json': JSON.stringify({name: 'v2', version: '9.0.0', type: 'module'}),
    'v2/index.js': 'export default {apiVersion: 2, register() {}}',
    'throws/package.json': JSON.stringify({type: 'module'}),
    'throws/index.js': 'throw new Error("top-level await failed")',
    'noexport/package.json': JSON.stringify({type: 'module'}),
    'noexport/index.js': 'export const x = 1',
    'single.mjs': ok.replace("'ok'", "'single'"),
  })
  const load = (entries: unknown, warnings: string[] = []) => loadPlugins(parsePluginEntries(entries), new PluginRegistry(), {pluginDir: dir, cwd: tmpdir(), env, warn: (m) => warnings.push(m)})

  it('finds a plugin by name in plugin_dir, with its version and entry from package.json', async () => {
    const [p] = await load([{name: 'good', config: {greeting: 'hi'}}])
    expect(p).toMatchObject({name: 'good', version: '2.3.4', path: join(dir, 'good/lib/main.js'), provides: {checkTypes: ['ok']}})
    expect(resolvePlugin(join(dir, 'single.mjs'), {cwd: '/'}).path).toBe(join(dir, 'single.mjs'))
  })

  it.each([
    ['missing', /plugin "missing" not found in plugin_dir .* or node_modules; install it \(npm install missing\) or fix its name/],
    ['v2', /plugin "v2"@9.0.0 is written for plugin API version 2, this dc speaks version 1; install a release of the plugin for API 1/],
    ['throws', /plugin "throws" \(.*\) failed to load: top-level await failed; fix or reinstall it, or remove it from plugins/],
    ['noexport', /has no default export with a register\(\) function/],
  ])('stops with one line for %s', async (name, message) => {
    const err = await load([{name}]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PluginError)
    expect((err as Error).message).toMatch(message)
    expect((err as Error).message).not.toContain('\n')
  })

  it('only warns for an optional plugin that fails, and loads the rest', async () => {
    const warnings: string[] = []
    const loaded = await load([{name: 'v2', optional: true}, {name: 'good'}], warnings)
    expect(loaded.map((p) => p.name)).toEqual(['good'])
    expect(warnings).toEqual([expect.stringMatching(/plugin "v2"@9.0.0 is written for plugin API version 2.*\(optional: starting without it\)$/)])
  })
})
