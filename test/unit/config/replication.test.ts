import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ConfigError} from '../../../src/agent/config/load.js'
import {buildRuntimeConfig} from '../../../src/agent/config/runtime.js'

function load(replication: unknown, datacenter = 'dc2') {
  const d = mkdtempSync(join(tmpdir(), 'dc-repl-config-'))
  const f = join(d, 'repl.json')
  writeFileSync(f, JSON.stringify({datacenter, replication}))
  return buildRuntimeConfig({dev: true, configFiles: [f], configDirs: [], flags: {}}).config
}

describe('replication stanza', () => {
  it('reads kv_prefixes and source_datacenter from a JSON file', () => {
    expect(load({kv_prefixes: ['config/', 'feature-flags/'], source_datacenter: 'DC1'}).replication).toEqual({sourceDatacenter: 'dc1', kvPrefixes: ['config/', 'feature-flags/']})
  })

  it('is absent by default', () => {
    expect(buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {}}).config.replication).toBeUndefined()
  })

  it('refuses unknown keys, wrong types and impossible values with one clear message', () => {
    const cases: [unknown, RegExp][] = [
      [{kv_prefixes: ['a/'], source_datacenter: 'dc1', prefixes: ['x']}, /invalid config key replication\.prefixes/],
      [{kv_prefixes: 'config/', source_datacenter: 'dc1'}, /replication\.kv_prefixes: expected a non-empty list of strings/],
      [{kv_prefixes: [], source_datacenter: 'dc1'}, /replication\.kv_prefixes: expected a non-empty list/],
      [{kv_prefixes: [1], source_datacenter: 'dc1'}, /replication\.kv_prefixes/],
      [{kv_prefixes: ['a/']}, /replication\.source_datacenter: expected a datacenter name/],
      [{kv_prefixes: ['a/'], source_datacenter: 'dc 1'}, /replication\.source_datacenter: dc 1/],
      [{kv_prefixes: ['a/'], source_datacenter: 'dc2'}, /dc2 is this agent's own datacenter/],
      [{kv_prefixes: [''], source_datacenter: 'dc1'}, /overlaps _dc\/replication\//],
      [{kv_prefixes: ['_dc/replication/x'], source_datacenter: 'dc1'}, /overlaps _dc\/replication\//],
      [{kv_prefixes: ['/abs'], source_datacenter: 'dc1'}, /must not start with "\/"/],
      [{kv_prefixes: ['a/', 'a/b/'], source_datacenter: 'dc1'}, /"a\/b\/" is inside "a\/"/],
      ['config/', /replication: expected an object/],
    ]
    for (const [value, msg] of cases) {
      let err: unknown
      try {
        load(value)
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(value)).toBeInstanceOf(ConfigError)
      expect((err as Error).message, JSON.stringify(value)).toMatch(msg)
    }
  })
})
