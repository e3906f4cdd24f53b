/**
 * Pure: a question (name + type) → a lookup plan. Mirrors Consul's routing:
 * names under the configured domain (or alt domain) are looked up in the
 * catalog, names under `arpa.` are reverse lookups, everything else is for the
 * recursors. Matching is case-insensitive.
 */
import {ipFromArpa, ipFromHex} from './ip.js'
import {QType} from './protocol.js'

interface Located {
  /** The configured domain the question used, without the trailing dot ("consul"). */
  domain: string
  /** Explicit datacenter from the name (lower-case); undefined = the agent's own. */
  dc?: string
}

export type Plan =
  | {kind: 'outside'}
  | {kind: 'ptr'; ip: Uint8Array | undefined}
  | {kind: 'soa'; domain: string}
  | {kind: 'ns'; domain: string}
  | {kind: 'notimp'; domain: string}
  | {kind: 'invalid'; domain: string}
  | (Located & {kind: 'service'; service: string; tag: string})
  | (Located & {kind: 'node'; node: string})
  | (Located & {kind: 'query'; query: string})
  | {kind: 'addr'; domain: string; ip: Uint8Array}

export interface DomainConfig {
  /** FQDNs as in DnsConfig ("consul.", alt "" when unset). */
  domain: string
  altDomain: string
}

const KINDS = new Set(['service', 'connect', 'virtual', 'ingress', 'node', 'query', 'addr'])

export function parseQuestion(name: string, qtype: number, cfg: DomainConfig): Plan {
  const lower = name.toLowerCase().replace(/\.$/, '')
  const domain = matchDomain(lower, cfg)
  if (domain === undefined) {
    if (lower === 'arpa' || lower.endsWith('.arpa')) return {kind: 'ptr', ip: ipFromArpa(lower.split('.'))}
    return {kind: 'outside'}
  }
  if (qtype === QType.SOA) return {kind: 'soa', domain}
  if (qtype === QType.NS) return {kind: 'ns', domain}
  if (qtype === QType.AXFR) return {kind: 'notimp', domain}
  const rest = lower.length === domain.length ? '' : lower.slice(0, lower.length - domain.length - 1)
  return dispatch(rest === '' ? [] : rest.split('.'), qtype, domain)
}

/** The longest configured domain the name falls under, without its dot. */
function matchDomain(lower: string, cfg: DomainConfig): string | undefined {
  let best: string | undefined
  for (const fq of [cfg.domain, cfg.altDomain]) {
    const d = fq.replace(/\.$/, '')
    if (d === '') continue
    if ((lower === d || lower.endsWith('.' + d)) && (best === undefined || d.length > best.length)) best = d
  }
  return best
}

function dispatch(labels: string[], qtype: number, domain: string): Plan {
  const invalid: Plan = {kind: 'invalid', domain}
  let kind = ''
  let parts: string[] = []
  let suffixes: string[] = []
  for (let i = labels.length - 1; i >= 0; i--) {
    if (KINDS.has(labels[i])) {
      kind = labels[i]
      parts = labels.slice(0, i)
      suffixes = labels.slice(i + 1)
      break
    }
    // RFC 2782: for SRV questions the "service" label is optional.
    if (qtype === QType.SRV && labels[i].startsWith('_')) {
      kind = 'service'
      parts = labels.slice(0, i + 1)
      suffixes = labels.slice(i + 1)
      break
    }
  }
  if (parts.length === 0) return invalid
  switch (kind) {
    case 'service': {
      const loc = parseLocality(suffixes)
      if (!loc) return invalid
      const n = parts.length
      if (n === 2 && parts[0].startsWith('_') && parts[1].startsWith('_')) {
        // _<service>._<tag>; "_tcp" means no tag filter (only tcp, as Consul).
        const tag = parts[1].slice(1)
        return {kind: 'service', domain, ...loc, service: parts[0].slice(1), tag: tag === 'tcp' ? '' : tag}
      }
      return {kind: 'service', domain, ...loc, service: parts[n - 1], tag: parts.slice(0, n - 1).join('.')}
    }
    case 'node': {
      const loc = parseLocality(suffixes)
      if (!loc) return invalid
      return {kind: 'node', domain, ...loc, node: parts.join('.')}
    }
    case 'query': {
      if (suffixes.length > 1) return invalid
      const n = parts.length
      const query = n >= 2 && parts[0].startsWith('_') && parts[n - 1].startsWith('_')
        ? parts.slice(0, n - 1).join('.').slice(1)
        : parts.join('.')
      return {kind: 'query', domain, ...(suffixes.length === 1 ? {dc: suffixes[0]} : {}), query}
    }
    case 'addr': {
      if (parts.length !== 1) return invalid
      const ip = ipFromHex(parts[0])
      return ip ? {kind: 'addr', domain, ip} : invalid
    }
    default:
      // connect / virtual / ingress need the service mesh, which dc does not implement.
      return invalid
  }
}

/** `[<dc>]` or `<dc>.dc`; peers (`<peer>.peer`) are not supported. */
function parseLocality(labels: string[]): {dc?: string} | undefined {
  if (labels.length === 0) return {}
  if (labels.length === 1) return {dc: labels[0]}
  if (labels.length === 2 && labels[1] === 'dc') return {dc: labels[0]}
  return undefined
}
