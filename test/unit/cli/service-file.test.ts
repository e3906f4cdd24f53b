import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {combineWithFlags, servicesFromFiles, servicesFromText} from '../../../src/cli/service-file.js'
import {parseKeyValues, readDataArg} from '../../../src/cli/input.js'

const dir = mkdtempSync(join(tmpdir(), 'dc-cli-unit-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('service definition files', () => {
  it('translates snake_case config keys to the API\'s PascalCase, keeping user keys', () => {
    const [svc] = servicesFromText(
      JSON.stringify({
        service: {
          name: 'web', id: 'web-1', port: 8080, tags: ['v1'], enable_tag_override: true,
          meta: {team_name: 'edge'},
          tagged_addresses: {lan_ipv4: {address: '10.0.0.1', port: 80}},
          check: {http: 'http://127.0.0.1:8080/health', interval: '10s', tls_skip_verify: true, header: {x_trace: ['1']}},
          weights: {passing: 3, warning: 1},
        },
      }),
      'web.json',
    )
    expect(svc).toEqual({
      Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v1'], EnableTagOverride: true,
      Meta: {team_name: 'edge'},
      TaggedAddresses: {lan_ipv4: {Address: '10.0.0.1', Port: 80}},
      Check: {HTTP: 'http://127.0.0.1:8080/health', Interval: '10s', TLSSkipVerify: true, Header: {x_trace: ['1']}},
      Weights: {Passing: 3, Warning: 1},
    })
  })

  it('reads "services" arrays and PascalCase input, from files', () => {
    const p = join(dir, 'svcs.json')
    writeFileSync(p, JSON.stringify({services: [{Name: 'a', Port: 1}, {name: 'b', checks: [{ttl: '30s', check_id: 'b-ttl'}]}]}))
    expect(servicesFromFiles([p])).toEqual([{Name: 'a', Port: 1}, {Name: 'b', Checks: [{TTL: '30s', CheckID: 'b-ttl'}]}])
  })

  it('rejects files without a named service, bad JSON and HCL', () => {
    expect(() => servicesFromText('{"node_name": "x"}', 'x.json')).toThrow(/no "service" or "services"/)
    expect(() => servicesFromText('{"service": {"port": 1}}', 'x.json')).toThrow(/no name/)
    expect(() => servicesFromText('{', 'x.json')).toThrow(/invalid JSON/)
    expect(() => servicesFromText('service { name = "a" }', 'x.hcl')).toThrow(/HCL/)
    expect(() => servicesFromFiles([join(dir, 'missing.json')])).toThrow(/missing.json/)
  })

  it('flags fill fields the file left unset; tags and meta are merged', () => {
    const out = combineWithFlags({Name: 'web', Tags: ['a'], Meta: {x: '1'}}, {Name: 'ignored', Port: 9000, ID: 'web-9', Tags: ['b'], Meta: {y: '2'}})
    expect(out).toEqual({Name: 'web', ID: 'web-9', Port: 9000, Tags: ['a', 'b'], Meta: {x: '1', y: '2'}, TaggedAddresses: {}})
  })
})

describe('DATA arguments and key=value flags', () => {
  it('@file reads a file, - reads stdin, anything else is literal', async () => {
    const p = join(dir, 'value.bin')
    writeFileSync(p, Buffer.from([1, 2, 3]))
    const stdin = async () => Buffer.from('from stdin')
    expect(await readDataArg(`@${p}`, stdin)).toEqual(Buffer.from([1, 2, 3]))
    expect((await readDataArg('-', stdin)).toString()).toBe('from stdin')
    expect((await readDataArg('-5', stdin)).toString()).toBe('-5')
    expect((await readDataArg('plain', stdin)).toString()).toBe('plain')
    await expect(readDataArg(`@${join(dir, 'nope')}`, stdin)).rejects.toThrow(/^Failed to read file/)
  })

  it('parses key=value at the first "="', () => {
    expect(parseKeyValues(['a=1', 'b=x=y'], 'meta')).toEqual({a: '1', b: 'x=y'})
    expect(parseKeyValues([], 'meta')).toBeUndefined()
    expect(() => parseKeyValues(['novalue'], 'meta')).toThrow('Invalid -meta value "novalue": expected key=value')
  })
})
