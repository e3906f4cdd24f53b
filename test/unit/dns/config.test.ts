import {describe, expect, it} from 'vitest'
import {
  DnsConfigError, defaultDnsConfig, parseDnsConfig, parseGoDurationMs, parseRecursor, serviceTtlFor,
} from '../../../src/agent/dns/config.js'

describe('parseDnsConfig', () => {
  it('gives Consul defaults for an empty config', () => {
    const c = parseDnsConfig({})
    expect(c).toEqual(defaultDnsConfig)
    expect(c.domain).toBe('consul.')
    expect(c.altDomain).toBe('')
    expect(c.nodeTtlS).toBe(0)
    expect(c.udpAnswerLimit).toBe(3)
    expect(c.recursorTimeoutMs).toBe(2000)
    expect(c.recursorStrategy).toBe('sequential')
    expect(c.enableAdditionalNodeMetaTxt).toBe(true)
    expect(c.allowStale).toBe(true)
    expect(c.maxStaleMs).toBe(87600 * 3600 * 1000)
    expect(c.soa).toEqual({refresh: 3600, retry: 600, expire: 86400, minTtl: 0})
  })

  it('parses every dns_config key from snake_case', () => {
    const c = parseDnsConfig({
      domain: 'Example',
      alt_domain: 'alt.test.',
      recursors: ['127.0.0.1', '127.0.0.2:5353', '[::1]:54', '::2'],
      dns_config: {
        allow_stale: false, max_stale: '10s', node_ttl: '30s', service_ttl: {'*': '5s', web: '1m', 'db*': '1.9s'},
        only_passing: true, enable_truncate: true, udp_answer_limit: 5, a_record_limit: 2, recursor_timeout: '250ms',
        recursor_strategy: 'random', disable_compression: true, enable_additional_node_meta_txt: false,
        soa: {refresh: 1, retry: 2, expire: 3, min_ttl: 4}, use_cache: true, cache_max_age: '5m',
      },
    })
    expect(c.domain).toBe('example.')
    expect(c.altDomain).toBe('alt.test.')
    expect(c.recursors).toEqual([
      {host: '127.0.0.1', port: 53}, {host: '127.0.0.2', port: 5353}, {host: '::1', port: 54}, {host: '::2', port: 53},
    ])
    expect(c.allowStale).toBe(false)
    expect(c.maxStaleMs).toBe(10_000)
    expect(c.nodeTtlS).toBe(30)
    expect(c.serviceTtl).toEqual({'*': 5, web: 60, 'db*': 1})
    expect(c.onlyPassing).toBe(true)
    expect(c.enableTruncate).toBe(true)
    expect(c.udpAnswerLimit).toBe(5)
    expect(c.aRecordLimit).toBe(2)
    expect(c.recursorTimeoutMs).toBe(250)
    expect(c.recursorStrategy).toBe('random')
    expect(c.disableCompression).toBe(true)
    expect(c.enableAdditionalNodeMetaTxt).toBe(false)
    expect(c.soa).toEqual({refresh: 1, retry: 2, expire: 3, minTtl: 4})
    expect(c.useCache).toBe(true)
    expect(c.cacheMaxAgeMs).toBe(300_000)
  })

  it('accepts a single recursor string', () => {
    expect(parseDnsConfig({recursors: '10.0.0.1:53'}).recursors).toEqual([{host: '10.0.0.1', port: 53}])
  })

  const bad: [string, Parameters<typeof parseDnsConfig>[0], RegExp][] = [
    ['wrong bool type', {dns_config: {only_passing: 'yes'}}, /^dns_config\.only_passing: expected true or false/],
    ['bad duration', {dns_config: {node_ttl: '10 seconds'}}, /^dns_config\.node_ttl: invalid duration "10 seconds"/],
    ['numeric duration', {dns_config: {recursor_timeout: 2}}, /^dns_config\.recursor_timeout: expected a duration string/],
    ['negative duration', {dns_config: {max_stale: '-1s'}}, /^dns_config\.max_stale: duration "-1s" cannot be negative/],
    ['bad service ttl', {dns_config: {service_ttl: {web: 'x'}}}, /^dns_config\.service_ttl\.web: invalid duration/],
    ['service ttl not a map', {dns_config: {service_ttl: ['5s']}}, /^dns_config\.service_ttl: expected an object/],
    ['negative limit', {dns_config: {a_record_limit: -1}}, /^dns_config\.a_record_limit: cannot be negative/],
    ['fractional limit', {dns_config: {udp_answer_limit: 1.5}}, /^dns_config\.udp_answer_limit: expected an integer/],
    ['unknown key', {dns_config: {node_tll: '1s'}}, /^dns_config\.node_tll: unknown key/],
    ['unknown soa key', {dns_config: {soa: {minttl: 1}}}, /^dns_config\.soa\.minttl: unknown key/],
    ['soa too big', {dns_config: {soa: {expire: 2 ** 32}}}, /^dns_config\.soa\.expire: must fit in 32 bits/],
    ['bad strategy', {dns_config: {recursor_strategy: 'roundrobin'}}, /^dns_config\.recursor_strategy: must be "sequential" or "random"/],
    ['recursor host name', {recursors: ['dns.google']}, /^recursors\[0\]: "dns\.google" is not an IP address/],
    ['recursor port', {recursors: ['1.1.1.1:99999']}, /^recursors\[0\]: invalid port/],
    ['recursors not a list', {recursors: 5}, /^recursors: expected a list/],
    ['empty domain', {domain: '.'}, /^domain: "\." is not a valid domain name/],
    ['dns_config not an object', {dns_config: 'x'}, /^dns_config: expected an object/],
  ]
  for (const [what, raw, msg] of bad) {
    it(`rejects ${what} naming the key`, () => {
      expect(() => parseDnsConfig(raw)).toThrow(DnsConfigError)
      expect(() => parseDnsConfig(raw)).toThrow(msg)
    })
  }
})

describe('parseGoDurationMs', () => {
  it('reads Go durations', () => {
    expect(parseGoDurationMs('0')).toBe(0)
    expect(parseGoDurationMs('10s')).toBe(10_000)
    expect(parseGoDurationMs('5m')).toBe(300_000)
    expect(parseGoDurationMs('87600h')).toBe(87600 * 3_600_000)
    expect(parseGoDurationMs('1h30m')).toBe(5_400_000)
    expect(parseGoDurationMs('1.5s')).toBe(1500)
    expect(parseGoDurationMs('300ms')).toBe(300)
    expect(parseGoDurationMs('500us')).toBe(0.5)
    expect(parseGoDurationMs('-2s')).toBe(-2000)
  })
  it('rejects what Go rejects', () => {
    for (const s of ['', '10', 's', '1d', '1.s.', '10 s', '.s', 'abc', '1h 2m']) expect(parseGoDurationMs(s), s).toBeUndefined()
  })
})

describe('serviceTtlFor', () => {
  const cfg = {serviceTtl: {'*': 5, 'db*': 10, 'db-primary*': 20, 'db-primary': 30, web: 60}}
  it('prefers an exact name over any wildcard', () => {
    expect(serviceTtlFor(cfg, 'db-primary')).toBe(30)
    expect(serviceTtlFor(cfg, 'web')).toBe(60)
  })
  it('uses the longest matching prefix wildcard', () => {
    expect(serviceTtlFor(cfg, 'db-primary-2')).toBe(20)
    expect(serviceTtlFor(cfg, 'db-replica')).toBe(10)
    expect(serviceTtlFor(cfg, 'cache')).toBe(5)
  })
  it('defaults to 0 without a match', () => {
    expect(serviceTtlFor({serviceTtl: {web: 9}}, 'api')).toBe(0)
    expect(serviceTtlFor({serviceTtl: {}}, 'api')).toBe(0)
  })
})

describe('parseRecursor', () => {
  it('adds port 53 and handles IPv6 brackets', () => {
    expect(parseRecursor('r', '8.8.8.8')).toEqual({host: '8.8.8.8', port: 53})
    expect(parseRecursor('r', '[2001:db8::1]:5300')).toEqual({host: '2001:db8::1', port: 5300})
    expect(parseRecursor('r', '2001:db8::1')).toEqual({host: '2001:db8::1', port: 53})
  })
})
