/**
 * Pure helpers that turn catalog rows into DNS records the way Consul's
 * agent/dns.go does: health filtering, SRV weights, address choice per record
 * type (tagged lan_ipv4 / lan_ipv6 addresses), node-meta TXT encoding.
 */
import type {CheckServiceNode, HealthCheck, Node} from '../../store/state/types.js'
import {parseIp} from './ip.js'
import {QType, type Rr} from './protocol.js'

/** Drop instances with a critical (or maintenance) check; with onlyPassing, anything not passing. */
export function healthy(nodes: readonly CheckServiceNode[], onlyPassing: boolean): CheckServiceNode[] {
  return nodes.filter((n) => n.Checks.every((c) => isAcceptable(c, onlyPassing)))
}

function isAcceptable(c: HealthCheck, onlyPassing: boolean): boolean {
  if (c.Status === 'critical' || c.Status === 'maintenance') return false
  return !onlyPassing || c.Status === 'passing'
}

/** SRV weight: Weights.Warning when any relevant check warns, else Weights.Passing (both default 1). */
export function srvWeight(n: CheckServiceNode): number {
  const w = n.Service.Weights ?? {Passing: 1, Warning: 1}
  let warning = false
  for (const c of n.Checks) {
    if (c.ServiceName !== n.Service.Service && c.ServiceName !== '') continue
    if (c.Status === 'critical' || c.Status === 'maintenance') return 0
    if (c.Status === 'warning') warning = true
  }
  return clampU16(warning ? w.Warning : w.Passing)
}

export function clampU16(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0
  return Math.min(65535, Math.floor(n))
}

/** Which address families a question accepts (Consul's TranslateAddressAccept). */
export interface Accept {
  v4: boolean
  v6: boolean
}

export function acceptFor(qtype: number): Accept {
  if (qtype === QType.A) return {v4: true, v6: false}
  if (qtype === QType.AAAA) return {v4: false, v6: true}
  return {v4: true, v6: true}
}

/** Tagged lan_ipv6 / lan_ipv4 when the question accepts that family, else the default address. */
export function pickAddress(def: string, v4: string | undefined, v6: string | undefined, accept: Accept): string {
  if (accept.v6 && v6) return v6
  if (accept.v4 && v4) return v4
  return def
}

export function nodeAddress(node: Node, accept: Accept): string {
  const t = node.TaggedAddresses ?? {}
  return pickAddress(node.Address, t.lan_ipv4, t.lan_ipv6, accept)
}

export function serviceAddress(n: CheckServiceNode, accept: Accept): string {
  const t = n.Service.TaggedAddresses ?? {}
  return pickAddress(n.Service.Address, t.lan_ipv4?.Address, t.lan_ipv6?.Address, accept)
}

/**
 * An A or AAAA record for `ip` if the question type admits that family
 * (A: v4 only; AAAA: v6 only; SRV, ANY, TXT, NS: both), else undefined.
 */
export function addressRecord(qtype: number, ip: Uint8Array, name: string, ttl: number): Rr | undefined {
  const both = qtype === QType.SRV || qtype === QType.ANY || qtype === QType.NS || qtype === QType.TXT
  if (ip.length === 4) return both || qtype === QType.A ? {type: 'A', name, ttl, address: ip} : undefined
  return both || qtype === QType.AAAA ? {type: 'AAAA', name, ttl, address: ip} : undefined
}

/** Records for a node's own address under `name`; undefined data → a CNAME to the host name. */
export function nodeAddressRecords(node: Node, qtype: number, name: string, ttl: number): {records: Rr[]; cnameTo?: string} {
  const addr = nodeAddress(node, acceptFor(qtype))
  const ip = parseIp(addr)
  if (!ip) {
    if (addr === '') return {records: []}
    return {records: [{type: 'CNAME', name, ttl, target: addr}], cnameTo: addr}
  }
  const rec = addressRecord(qtype, ip, name, ttl)
  return {records: rec ? [rec] : []}
}

/** One TXT record per node meta pair: RFC 1464 `key=value`, or the bare value for `rfc1035-` keys. */
export function nodeMetaTxt(node: Node, name: string, ttl: number): Rr[] {
  const meta = node.Meta
  if (!meta) return []
  const keys = Object.keys(meta)
  if (keys.length === 0) return []
  return keys.sort().map((key) => {
    const value = meta[key]
    const text = key.toLowerCase().startsWith('rfc1035-') ? value : encodeRfc1464(key, value)
    return {type: 'TXT', name, ttl, texts: [text]}
  })
}

export function encodeRfc1464(key: string, value: string): string {
  let k = key.replace(/`/g, '``').replace(/=/g, '`=')
  const lead = /^ +/.exec(k)?.[0].length ?? 0
  k = '` '.repeat(lead) + k.slice(lead)
  const trail = / +$/.exec(k)?.[0].length ?? 0
  k = k.slice(0, k.length - trail) + '` '.repeat(trail)
  return k + '=' + value.replace(/`/g, '``')
}
