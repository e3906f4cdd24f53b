import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration} from '../../../src/agent/config/duration.js'
import {ConfigError} from '../../../src/agent/config/load.js'
import {buildRuntimeConfig} from '../../../src/agent/config/runtime.js'
import {flagsToConfig} from '../../../src/agent/config/flags.js'

const dir = () => mkdtempSync(join(tmpdir(), 'dc-config-'))

describe('durations (Go syntax)', () => {
  it('parses Go durations', () => {
    expect(parseDuration('10s')).toBe(10_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('300ms')).toBe(300)
    expect(parseDuration('0')).toBe(0)
    expect(parseDuration('87600h')).toBe(87600 * 3_600_000)
  })
  it('rejects what Go rejects', () => {
    for (const bad of ['10 seconds', '10', 's', '', '1d', '10S']) expect(() => parseDuration(bad), bad).toThrow()
  })
  it('formats like Go', () => {
    expect(formatDuration(15_000)).toBe('15s')
    expect(formatDuration(90_000)).toBe('1m30s')
    expect(formatDuration(86_400_000)).toBe('24h0m0s')
  })
})

describe('runtime config', () => {
  it('has Consul defaults in -dev', () => {
    const {config} = buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {}})
    expect(config).toMatchObject({server: true, bootstrap: true, datacenter: 'dc1', clientAddr: '127.0.0.1'})
    expect(config.ports).toMatchObject({http: 8500, dns: 8600, serfLan: 8301, serfWan: 8302, server: 8300})
    expect(config.kvMaxValueSize).toBe(524288)
    expect(config.raftSnapshotThreshold).toBe(16384)
    expect(config.dataDir).toBeUndefined()
  })

  it('requires a data dir outside -dev', () => {
    expect(() => buildRuntimeConfig({dev: false, configFiles: [], configDirs: [], flags: {server: true}})).toThrow(/data_dir/)
  })

  it('merges files in lexical order, flags last; lists append', () => {
    const d = dir()
    writeFileSync(join(d, 'b.json'), JSON.stringify({datacenter: 'east', retry_join: ['b'], ports: {dns: 8601}}))
    writeFileSync(join(d, 'a.json'), JSON.stringify({datacenter: 'west', retry_join: ['a'], ports: {http: 9500}}))
    writeFileSync(join(d, 'ignored.txt'), 'not config')
    const {config} = buildRuntimeConfig({dev: true, configFiles: [], configDirs: [d], flags: {node_name: 'n1'}})
    expect(config.datacenter).toBe('east')
    expect(config.retryJoin).toEqual(['a', 'b'])
    expect(config.ports.http).toBe(9500)
    expect(config.ports.dns).toBe(8601)
    expect(config.nodeName).toBe('n1')
  })

  it('warns once per key dc does not implement yet', () => {
    const d = dir()
    const f = join(d, 'c.json')
    writeFileSync(f, JSON.stringify({acl: {enabled: true}, telemetry: {}, primary_datacenter: 'dc1', connect: {enabled: true}}))
    const {warnings} = buildRuntimeConfig({dev: true, configFiles: [f], configDirs: [], flags: {}})
    expect(warnings).toHaveLength(4)
    for (const k of ['acl', 'telemetry', 'primary_datacenter', 'connect']) expect(warnings.some((w) => w.includes(`"${k}"`))).toBe(true)
  })

  it('stops on malformed files, wrong types and unknown keys, naming file and key', () => {
    const d = dir()
    const bad = join(d, 'bad.json')
    writeFileSync(bad, '{"datacenter": ')
    expect(() => buildRuntimeConfig({dev: true, configFiles: [bad], configDirs: [], flags: {}})).toThrow(new RegExp(`${bad}`))
    writeFileSync(bad, JSON.stringify({server: 'yes'}))
    expect(() => buildRuntimeConfig({dev: true, configFiles: [bad], configDirs: [], flags: {}})).toThrow(/bad\.json: invalid value for server: expected a boolean/)
    writeFileSync(bad, JSON.stringify({retry_interval: '10 seconds'}))
    expect(() => buildRuntimeConfig({dev: true, configFiles: [bad], configDirs: [], flags: {}})).toThrow(/retry_interval/)
    writeFileSync(bad, JSON.stringify({no_such_key: 1}))
    expect(() => buildRuntimeConfig({dev: true, configFiles: [bad], configDirs: [], flags: {}})).toThrow(ConfigError)
  })

  it('maps Consul agent flags onto config keys', () => {
    const {raw, notes} = flagsToConfig({'data-dir': '/x', 'bootstrap-expect': 3, server: true, 'http-port': 0, 'dns-port': -1, 'node-meta': ['rack:r1'], recursor: ['127.0.0.53'], 'log-file': '/tmp/x'})
    expect(raw).toMatchObject({data_dir: '/x', bootstrap_expect: 3, server: true, ports: {http: 0, dns: -1}, node_meta: {rack: 'r1'}, recursors: ['127.0.0.53']})
    expect(notes.some((n) => n.includes('-log-file'))).toBe(true)
  })

  it('rejects bootstrap with bootstrap_expect', () => {
    expect(() => buildRuntimeConfig({dev: false, configFiles: [], configDirs: [], flags: {data_dir: '/tmp/x', server: true, bootstrap: true, bootstrap_expect: 3}})).toThrow(/mutually exclusive/)
  })
})

describe('coordinate sync settings', () => {
  const build = (flags: Record<string, unknown>) => buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags}).config
  it("defaults to Consul's 64 updates/s and 15s minimum", () => {
    const c = build({})
    expect([c.syncCoordinateRateTarget, c.syncCoordinateIntervalMinMs]).toEqual([64, 15_000])
  })
  it('reads sync_coordinate_rate_target and sync_coordinate_interval_min without a warning', () => {
    const {config, warnings} = buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {sync_coordinate_rate_target: 10.5, sync_coordinate_interval_min: '2s'}})
    expect([config.syncCoordinateRateTarget, config.syncCoordinateIntervalMinMs]).toEqual([10.5, 2000])
    expect(warnings.filter((w) => w.includes('sync_coordinate'))).toEqual([])
  })
  it('rejects a rate that is not a positive number', () => {
    expect(() => build({sync_coordinate_rate_target: 0})).toThrow(ConfigError)
    expect(() => build({sync_coordinate_rate_target: 'fast'})).toThrow(/sync_coordinate_rate_target/)
  })
})

describe('client limits', () => {
  const build = (limits: Record<string, unknown>) => buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {limits}}).config
  it('rpc_rate defaults to unlimited (Consul -1), rpc_max_burst to 1000, rpc_max_conns_per_client to 100', () => {
    const c = build({})
    expect([c.rpcRate, c.rpcMaxBurst, c.rpcMaxConnsPerClient]).toEqual([Infinity, 1000, 100])
    expect(build({rpc_rate: -1}).rpcRate).toBe(Infinity)
    expect(build({rpc_rate: 2.5, rpc_max_burst: 5}).rpcRate).toBe(2.5)
    expect(build({rpc_rate: '10'}).rpcRate).toBe(10)
  })
  it('rejects what is not a number, naming the key', () => {
    expect(() => build({rpc_rate: 'fast'})).toThrow(/limits\.rpc_rate/)
    expect(() => build({rpc_max_burst: -1})).toThrow(/limits\.rpc_max_burst/)
  })
})

describe('disable_host_node_id', () => {
  const build = (v: unknown) => buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {disable_host_node_id: v}})
  it("true (Consul's default) is what dc does and says nothing; false warns that host IDs are not derived", () => {
    expect(build(true).warnings.join('\n')).not.toMatch(/disable_host_node_id/)
    expect(build(false).warnings.join('\n')).toMatch(/disable_host_node_id = false is not implemented/)
  })
})
