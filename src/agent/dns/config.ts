/**
 * DNS settings (Consul's `domain`, `alt_domain`, `recursors` and `dns_config`
 * block) parsed once into an immutable value the DNS modules read.
 */
import {parseIp} from './ip.js'

export type RecursorStrategy = 'sequential' | 'random'

export interface DnsRecursor {
  /** IP literal (no brackets). */
  host: string
  port: number
}

export interface DnsSoaConfig {
  refresh: number
  retry: number
  expire: number
  /** Also the TTL of the SOA record itself (negative-caching time). */
  minTtl: number
}

export interface DnsConfig {
  /** Lower-case FQDN with the trailing dot, e.g. "consul.". */
  domain: string
  /** Lower-case FQDN or "" when unset. */
  altDomain: string
  nodeTtlS: number
  /** Seconds per service name; keys ending in "*" are prefix wildcards ("*" alone matches all). */
  serviceTtl: Readonly<Record<string, number>>
  onlyPassing: boolean
  enableTruncate: boolean
  /** Answer cap for plain (non-EDNS) UDP answers; Consul never goes above 8. */
  udpAnswerLimit: number
  /** Cap on A/AAAA answers per query, 0 = no cap. */
  aRecordLimit: number
  recursors: readonly DnsRecursor[]
  recursorTimeoutMs: number
  recursorStrategy: RecursorStrategy
  disableCompression: boolean
  enableAdditionalNodeMetaTxt: boolean
  soa: DnsSoaConfig
  /** Client agents: stale reads for DNS (servers answer from their own store). */
  allowStale: boolean
  maxStaleMs: number
  useCache: boolean
  cacheMaxAgeMs: number
}

export const defaultDnsConfig: DnsConfig = Object.freeze({
  domain: 'consul.',
  altDomain: '',
  nodeTtlS: 0,
  serviceTtl: Object.freeze({}),
  onlyPassing: false,
  enableTruncate: false,
  udpAnswerLimit: 3,
  aRecordLimit: 0,
  recursors: Object.freeze([]),
  recursorTimeoutMs: 2000,
  recursorStrategy: 'sequential',
  disableCompression: false,
  enableAdditionalNodeMetaTxt: true,
  soa: Object.freeze({refresh: 3600, retry: 600, expire: 86400, minTtl: 0}),
  allowStale: true,
  maxStaleMs: 87600 * 3600 * 1000,
  useCache: false,
  cacheMaxAgeMs: 0,
}) as DnsConfig

/** Thrown for a wrong type or value; the message names the key. */
export class DnsConfigError extends Error {
  constructor(key: string, reason: string) {
    super(`${key}: ${reason}`)
    this.name = 'DnsConfigError'
  }
}

export interface RawDnsConfig {
  domain?: unknown
  alt_domain?: unknown
  recursors?: unknown
  dns_config?: unknown
}

const DNS_CONFIG_KEYS = new Set([
  'allow_stale', 'max_stale', 'node_ttl', 'service_ttl', 'only_passing', 'enable_truncate',
  'udp_answer_limit', 'a_record_limit', 'recursor_timeout', 'recursor_strategy',
  'disable_compression', 'enable_additional_node_meta_txt', 'soa', 'use_cache', 'cache_max_age',
])
const SOA_KEYS = new Set(['refresh', 'retry', 'expire', 'min_ttl'])

/** Build a DnsConfig from Consul's snake_case configuration; throws DnsConfigError. */
export function parseDnsConfig(raw: RawDnsConfig = {}): DnsConfig {
  const d = defaultDnsConfig
  const dc = raw.dns_config === undefined ? {} : asObject('dns_config', raw.dns_config)
  for (const k of Object.keys(dc)) {
    if (!DNS_CONFIG_KEYS.has(k)) throw new DnsConfigError(`dns_config.${k}`, 'unknown key')
  }
  const soaRaw = dc.soa === undefined ? {} : asObject('dns_config.soa', dc.soa)
  for (const k of Object.keys(soaRaw)) {
    if (!SOA_KEYS.has(k)) throw new DnsConfigError(`dns_config.soa.${k}`, 'unknown key')
  }
  const domain = raw.domain === undefined ? d.domain : fqdn('domain', raw.domain)
  const altDomain = raw.alt_domain === undefined || raw.alt_domain === '' ? '' : fqdn('alt_domain', raw.alt_domain)
  const strategy = dc.recursor_strategy === undefined ? d.recursorStrategy : asString('dns_config.recursor_strategy', dc.recursor_strategy)
  if (strategy !== 'sequential' && strategy !== 'random') {
    throw new DnsConfigError('dns_config.recursor_strategy', `must be "sequential" or "random", got ${JSON.stringify(strategy)}`)
  }
  return Object.freeze({
    domain,
    altDomain,
    nodeTtlS: optSeconds('dns_config.node_ttl', dc.node_ttl, d.nodeTtlS),
    serviceTtl: Object.freeze(parseServiceTtl(dc.service_ttl)),
    onlyPassing: optBool('dns_config.only_passing', dc.only_passing, d.onlyPassing),
    enableTruncate: optBool('dns_config.enable_truncate', dc.enable_truncate, d.enableTruncate),
    udpAnswerLimit: optCount('dns_config.udp_answer_limit', dc.udp_answer_limit, d.udpAnswerLimit),
    aRecordLimit: optCount('dns_config.a_record_limit', dc.a_record_limit, d.aRecordLimit),
    recursors: Object.freeze(parseRecursors(raw.recursors)),
    recursorTimeoutMs: optDurationMs('dns_config.recursor_timeout', dc.recursor_timeout, d.recursorTimeoutMs),
    recursorStrategy: strategy,
    disableCompression: optBool('dns_config.disable_compression', dc.disable_compression, d.disableCompression),
    enableAdditionalNodeMetaTxt: optBool('dns_config.enable_additional_node_meta_txt', dc.enable_additional_node_meta_txt, d.enableAdditionalNodeMetaTxt),
    soa: Object.freeze({
      refresh: optU32('dns_config.soa.refresh', soaRaw.refresh, d.soa.refresh),
      retry: optU32('dns_config.soa.retry', soaRaw.retry, d.soa.retry),
      expire: optU32('dns_config.soa.expire', soaRaw.expire, d.soa.expire),
      minTtl: optU32('dns_config.soa.min_ttl', soaRaw.min_ttl, d.soa.minTtl),
    }),
    allowStale: optBool('dns_config.allow_stale', dc.allow_stale, d.allowStale),
    maxStaleMs: optDurationMs('dns_config.max_stale', dc.max_stale, d.maxStaleMs),
    useCache: optBool('dns_config.use_cache', dc.use_cache, d.useCache),
    cacheMaxAgeMs: optDurationMs('dns_config.cache_max_age', dc.cache_max_age, d.cacheMaxAgeMs),
  })
}

/**
 * TTL in seconds for a service: an exact key wins, then the longest wildcard
 * prefix ("db*" before "*"), else 0 (Consul's TTLStrict then TTLRadix).
 */
export function serviceTtlFor(cfg: Pick<DnsConfig, 'serviceTtl'>, service: string): number {
  const table = cfg.serviceTtl
  const exact = table[service]
  if (exact !== undefined && !service.endsWith('*')) return exact
  let best = -1
  let ttl = 0
  for (const key of Object.keys(table)) {
    if (!key.endsWith('*')) continue
    const prefix = key.slice(0, -1)
    if (prefix.length > best && service.startsWith(prefix)) {
      best = prefix.length
      ttl = table[key]
    }
  }
  return ttl
}

const UNIT_MS: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** Go's time.ParseDuration ("10s", "1h30m", "1.5s", "300ms", "0") → milliseconds. */
export function parseGoDurationMs(s: string): number | undefined {
  let rest = s
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') return undefined
  let total = 0
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/
  while (rest.length > 0) {
    const m = re.exec(rest)
    if (!m || m[1] === '' || m[1] === '.') return undefined
    total += Number(m[1]) * UNIT_MS[m[2]]
    rest = rest.slice(m[0].length)
  }
  return sign * total
}

function asObject(key: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DnsConfigError(key, `expected an object, got ${describe(v)}`)
  return v as Record<string, unknown>
}

function asString(key: string, v: unknown): string {
  if (typeof v !== 'string') throw new DnsConfigError(key, `expected a string, got ${describe(v)}`)
  return v
}

function fqdn(key: string, v: unknown): string {
  const s = asString(key, v).trim().toLowerCase().replace(/\.+$/, '')
  if (s === '' || s.split('.').some((l) => l === '' || l.length > 63)) {
    throw new DnsConfigError(key, `${JSON.stringify(v)} is not a valid domain name`)
  }
  return s + '.'
}

function optBool(key: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt
  if (typeof v !== 'boolean') throw new DnsConfigError(key, `expected true or false, got ${describe(v)}`)
  return v
}

function optCount(key: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new DnsConfigError(key, `expected an integer, got ${describe(v)}`)
  if (v < 0) throw new DnsConfigError(key, 'cannot be negative')
  return v
}

function optU32(key: string, v: unknown, dflt: number): number {
  const n = optCount(key, v, dflt)
  if (n > 0xffffffff) throw new DnsConfigError(key, 'must fit in 32 bits')
  return n
}

function optDurationMs(key: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt
  if (typeof v !== 'string') throw new DnsConfigError(key, `expected a duration string like "10s", got ${describe(v)}`)
  const ms = parseGoDurationMs(v)
  if (ms === undefined) throw new DnsConfigError(key, `invalid duration ${JSON.stringify(v)} (use units ns, us, ms, s, m, h, e.g. "10s", "5m", "87600h")`)
  if (ms < 0) throw new DnsConfigError(key, `duration ${JSON.stringify(v)} cannot be negative`)
  return ms
}

function optSeconds(key: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt
  // DNS TTLs are whole seconds; Consul truncates ("1.9s" → 1).
  return Math.min(0xffffffff, Math.floor(optDurationMs(key, v, 0) / 1000))
}

function parseServiceTtl(v: unknown): Record<string, number> {
  if (v === undefined) return {}
  const obj = asObject('dns_config.service_ttl', v)
  const out: Record<string, number> = {}
  for (const [name, ttl] of Object.entries(obj)) out[name] = optSeconds(`dns_config.service_ttl.${name}`, ttl, 0)
  return out
}

function parseRecursors(v: unknown): DnsRecursor[] {
  if (v === undefined) return []
  const list = typeof v === 'string' ? [v] : v
  if (!Array.isArray(list)) throw new DnsConfigError('recursors', `expected a list of addresses, got ${describe(v)}`)
  return list.map((r, i) => parseRecursor(`recursors[${i}]`, r))
}

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353" → host + port (53 by default). */
export function parseRecursor(key: string, v: unknown): DnsRecursor {
  const s = asString(key, v).trim()
  let host = s
  let port = 53
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
  if (bracketed) {
    host = bracketed[1]
    if (bracketed[2] !== undefined) port = Number(bracketed[2])
  } else if (s.split(':').length === 2) {
    const [h, p] = s.split(':')
    host = h
    if (!/^\d+$/.test(p)) throw new DnsConfigError(key, `invalid port in ${JSON.stringify(s)}`)
    port = Number(p)
  }
  if (!parseIp(host)) throw new DnsConfigError(key, `${JSON.stringify(s)} is not an IP address (with optional :port)`)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DnsConfigError(key, `invalid port in ${JSON.stringify(s)}`)
  return {host, port}
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'string') return JSON.stringify(v)
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`
}
