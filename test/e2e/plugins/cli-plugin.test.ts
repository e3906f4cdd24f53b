import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, RUN_JS} from '../../helpers/agent.js'

/** Runs bin/run.js with oclif's data, cache and config dirs in a fresh place (no user plugins leak in or out). */
function dcWith(home: string) {
  return (...args: string[]) => spawnSync(process.execPath, [RUN_JS, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {...process.env, NO_COLOR: '1', XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config')},
  })
}

describe('CLI plugins (oclif plugin-plugins)', () => {
  it('dc plugins link adds the plugin\'s command; dc plugins lists it; unlink removes it', () => {
    const dc = dcWith(mkdtempSync(join(tmpdir(), 'dc-cli-plugins-')))
    expect(dc('plugins').stdout).toMatch(/No plugins installed/)
    expect(dc('hello').status).not.toBe(0)
    const link = dc('plugins', 'link', '--no-install', join(ROOT, 'test/fixtures/cli-plugin'))
    expect(link.status, link.stderr).toBe(0)
    expect(dc('plugins').stdout).toMatch(/dc-cli-hello 0\.0\.1 \(link\) \S*test\/fixtures\/cli-plugin/)
    const hello = dc('hello', 'ops', '--shout')
    expect(hello.status, hello.stderr).toBe(0)
    expect(hello.stdout).toBe('HELLO OPS FROM DC-CLI-HELLO\n')
    // The linked plugin's warning about transpiling is not printed on every command.
    expect(hello.stderr).toBe('')
    // Built-in commands still run from the bundle beside it.
    expect(dc('version').stdout).toMatch(/^dc v/)
    expect(dc('plugins', 'unlink', 'dc-cli-hello').status).toBe(0)
    expect(dc('hello').status).not.toBe(0)
  })
})

describe('dc validate', () => {
  const dc = dcWith(mkdtempSync(join(tmpdir(), 'dc-validate-')))
  const file = (o: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-validate-'))
    writeFileSync(join(dir, 'c.json'), JSON.stringify({data_dir: join(dir, 'data'), ...(o as object)}))
    return dir
  }

  it('accepts a config with plugins and their check types, naming each plugin', () => {
    const r = dc('validate', file({plugin_dir: join(ROOT, 'examples/plugins'), plugins: [{name: 'file-age-check'}],
      retry_join: ['provider=file path=/etc/dc/peers'], service: {name: 'a', check: {type: 'file-age', path: '/tmp/x', interval: '5s'}}}))
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Plugin file-age-check@1\.0\.0 \(\S+index\.js\): check types file-age; join providers -\nConfiguration is valid!\n$/)
  })

  it.each([
    [{service: {name: 'a', check: {type: 'file-age', path: '/x', interval: '5s'}}}, /unknown check type "file-age": no loaded plugin provides it/],
    [{plugins: [{name: 'dc-plugin-nope'}]}, /plugin "dc-plugin-nope" not found/],
    [{plugins: [{name: 'x', config: 3}]}, /plugins\[0\].config \(plugin "x"\): expected an object, got 3/],
    [{retry_join: ['provider=aws tag_key=x']}, /unknown join provider "aws"; known: dns, file/],
  ])('refuses %j with one line', (conf, message) => {
    const r = dc('validate', file(conf))
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/Config validation failed: /)
    expect(r.stderr).toMatch(message)
  })
})
