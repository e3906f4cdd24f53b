import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {HclError, parseHcl} from '../../../src/agent/config/hcl.js'
import {ConfigError} from '../../../src/agent/config/load.js'
import {buildRuntimeConfig} from '../../../src/agent/config/runtime.js'

describe('parseHcl (Consul config files)', () => {
  it('reads the replication stanza as the issue writes it, on one line or several', () => {
    expect(parseHcl('replication { kv_prefixes = ["config/"] source_datacenter = "dc1" }')).toEqual({replication: {kv_prefixes: ['config/'], source_datacenter: 'dc1'}})
    expect(parseHcl('replication {\n  kv_prefixes = ["config/", "flags/",]\n  source_datacenter = "dc1"\n}\n')).toEqual({replication: {kv_prefixes: ['config/', 'flags/'], source_datacenter: 'dc1'}})
  })

  it('scalars, nested blocks, inline objects, comments and escapes', () => {
    const text = `
# a comment
datacenter = "dc2"   // another
server = true
bootstrap_expect = 3
/* block
   comment */
ports {
  http = 8501
  dns = -1
}
node_meta = { rack = "r1", "zone-name" = "a" }
raft_multiplier = 1.5
log_level = "in\\"fo\\u0041\\n"
`
    expect(parseHcl(text)).toEqual({
      datacenter: 'dc2', server: true, bootstrap_expect: 3, ports: {http: 8501, dns: -1},
      node_meta: {rack: 'r1', 'zone-name': 'a'}, raft_multiplier: 1.5, log_level: 'in"foA\n',
    })
  })

  it('a repeated block is a list; a labelled block nests under its label (HCL 1)', () => {
    expect(parseHcl('service { name = "a" }\nservice { name = "b" }')).toEqual({service: [{name: 'a'}, {name: 'b'}]})
    expect(parseHcl('service "web" { port = 80 }')).toEqual({service: {web: {port: 80}}})
    expect(parseHcl('a = 1 b = "2", c = [3]')).toEqual({a: 1, b: '2', c: [3]})
  })

  it('heredocs, plain and indented (<<-)', () => {
    expect(parseHcl('a = <<EOF\nline 1\n  line 2\nEOF\n')).toEqual({a: 'line 1\n  line 2\n'})
    expect(parseHcl('a = <<-EOF\n    x\n      y\n    EOF\n')).toEqual({a: 'x\n  y\n'})
  })

  it('mistakes name the line and column', () => {
    const cases: [string, RegExp][] = [
      ['a = ', /line 1, column 5: unexpected end of file/],
      ['a = "x', /unterminated string/],
      ['a = [1, 2', /expected , or \] in a list/],
      ['x {\n  y = 1\n', /line 3, column 1: expected }/],
      ['a = b', /unexpected b \(strings are quoted\)/],
      ['a b', /expected = or \{ after a/],
      ['/* open', /unterminated \/\* comment/],
      ['a = "\\q"', /unknown escape \\q/],
    ]
    for (const [text, msg] of cases) expect(() => parseHcl(text), text).toThrow(msg)
    expect(() => parseHcl('a = ')).toThrow(HclError)
  })
})

describe('HCL config files', () => {
  const write = (name: string, text: string) => {
    const d = mkdtempSync(join(tmpdir(), 'dc-hcl-'))
    writeFileSync(join(d, name), text)
    return join(d, name)
  }

  it('an .hcl file configures the agent as the same JSON does', () => {
    const hcl = write('a.hcl', 'datacenter = "dc2"\nreplication { kv_prefixes = ["config/"] source_datacenter = "dc1" }\nretry_join_wan = ["127.0.0.1"]\n')
    const json = write('a.json', JSON.stringify({datacenter: 'dc2', replication: {kv_prefixes: ['config/'], source_datacenter: 'dc1'}, retry_join_wan: ['127.0.0.1']}))
    const a = buildRuntimeConfig({dev: true, configFiles: [hcl], configDirs: [], flags: {}}).config
    const b = buildRuntimeConfig({dev: true, configFiles: [json], configDirs: [], flags: {}}).config
    expect(a.replication).toEqual({sourceDatacenter: 'dc1', kvPrefixes: ['config/']})
    expect({...a, sources: [], configFiles: []}).toEqual({...b, sources: [], configFiles: []})
  })

  it('a syntax error is a config error naming the file, line and column', () => {
    const f = write('bad.hcl', 'datacenter = "dc2"\nreplication {\n  kv_prefixes = ["a/"\n}\n')
    expect(() => buildRuntimeConfig({dev: true, configFiles: [f], configDirs: [], flags: {}})).toThrow(ConfigError)
    expect(() => buildRuntimeConfig({dev: true, configFiles: [f], configDirs: [], flags: {}})).toThrow(/Error parsing .*bad\.hcl: line 4, column 1: expected , or \] in a list/)
  })

  it('unknown keys inside the replication stanza are refused from HCL too', () => {
    const f = write('r.hcl', 'replication {\n  kv_prefixes = ["a/"]\n  source_dc = "dc1"\n}\n')
    expect(() => buildRuntimeConfig({dev: true, configFiles: [f], configDirs: [], flags: {}})).toThrow(/invalid config key replication\.source_dc/)
  })
})
