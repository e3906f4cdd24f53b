/**
 * Pure: a lookup plan + the catalog + config → a Resolution, the per-question
 * part of an answer that can be cached until the catalog index changes. The
 * per-query part (shuffle, limits, SOA serial, size trimming, encoding) lives
 * in render.ts. Behaviour follows Consul's agent/dns.go; deviations are noted.
 */
import type {CheckServiceNode, Node} from '../../store/state/types.js'
import type {DnsCatalog} from './catalog-port.js'
import {parseDuration} from '../config/duration.js'
import {serviceTtlFor, type DnsConfig} from './config.js'
import type {DnsQueryResult} from './query-port.js'
import {ipHex, parseIp, sameIp} from './ip.js'
import {QType, Rcode, isEncodableName, rrKey, type Rr} from './protocol.js'
import {parseQuestion, type Plan} from './query.js'
import {
  acceptFor, addressRecord, clampU16, healthy, nodeAddress, nodeAddressRecords, nodeMetaTxt,
  serviceAddress, srvWeight,
} from './records.js'

/** The records one service instance (or one name server) contributes; trimmed and shuffled as a unit. */
export interface Group {
  answers: Rr[]
  extras: Rr[]
  /** Per extra record, an id shared by identical records of other groups (set by the resolver). */
  extraIds?: number[]
  /** A lower bound on the bytes this group adds to a message (set by the resolver). */
  minBytes?: number
}

export interface Resolution {
  rcode: number
  aa: boolean
  /** Where an SOA for `soaDomain` goes (its serial is stamped per query). */
  soa?: 'answer' | 'authority'
  soaDomain: string
  /** Answers that are neither shuffled nor trimmed (node, addr, PTR lookups). */
  answers: Rr[]
  groups: Group[]
  /** Distinct extra records across groups (ids in Group.extraIds run from 0 to this). */
  extraCount: number
  /** The smallest Group.minBytes (bounds how many groups a message could hold). */
  minGroupBytes: number
  groupSection: 'answer' | 'authority'
  shuffle: boolean
  /** Keep at most this many groups after shuffling; 0 = all. */
  groupLimit: number
  /** Additional records that do not belong to a group. */
  extras: Rr[]
  /** Consul trims answers to the transport's size for domain queries, not PTR ones. */
  trim: boolean
  /** Forward the question to the recursors instead of answering. */
  recurse: boolean
  /** False for answers that depend on more than the catalog index (SERVFAIL from an unreadable DC). */
  cacheable: boolean
}

export interface ResolveInput {
  /** The question name as asked (answers echo its case). */
  name: string
  qtype: number
}

/** Consul's maxRecursionLevelDefault: how deep in-domain CNAME targets are followed. */
const MAX_DEPTH = 3
/** Consul's InvalidNameRe: server names with other characters get no NS record. */
const INVALID_NS_NAME = /[^A-Za-z0-9\\-]/

function base(rcode: number, over: Partial<Resolution> = {}): Resolution {
  const groups = over.groups ?? []
  let minGroupBytes = Infinity
  for (const g of groups) {
    g.minBytes = minGrowth(g)
    minGroupBytes = Math.min(minGroupBytes, g.minBytes)
  }
  return {
    rcode, aa: true, soaDomain: '', answers: [], groups, extraCount: indexExtras(groups), minGroupBytes,
    groupSection: 'answer', shuffle: false, groupLimit: 0, extras: [], trim: true, recurse: false, cacheable: true,
    ...over,
  }
}

/** A lower bound on the bytes a group adds: owner names compressed to pointers; SRV targets never are. */
function minGrowth(g: Group): number {
  let bytes = 0
  for (const rr of g.answers) {
    bytes += 2 + 10
    switch (rr.type) {
      case 'A': bytes += 4; break
      case 'AAAA': bytes += 16; break
      case 'SRV': bytes += 6 + rr.target.length + 1; break
      case 'TXT': bytes += rr.texts.length; break
      default: bytes += 2
    }
  }
  return Math.max(1, bytes)
}

/** Number identical extra records (two instances on one node share glue) so rendering can de-duplicate cheaply. */
function indexExtras(groups: Group[]): number {
  const ids = new Map<string, number>()
  for (const g of groups) {
    g.extraIds = g.extras.map((rr) => {
      const k = rrKey(rr)
      let id = ids.get(k)
      if (id === undefined) {
        id = ids.size
        ids.set(k, id)
      }
      return id
    })
  }
  return ids.size
}

const nxdomain = (domain: string): Resolution => base(Rcode.NXDOMAIN, {soa: 'authority', soaDomain: domain})
const nodata = (domain: string): Resolution => base(Rcode.NOERROR, {soa: 'authority', soaDomain: domain})

export function resolveQuestion(q: ResolveInput, catalog: DnsCatalog, cfg: DnsConfig): Resolution {
  return resolvePlan(parseQuestion(q.name, q.qtype, cfg), q, catalog, cfg, MAX_DEPTH)
}

export function resolvePlan(plan: Plan, q: ResolveInput, catalog: DnsCatalog, cfg: DnsConfig, depth: number): Resolution {
  switch (plan.kind) {
    case 'outside':
      // Consul answers REFUSED (no AA, no RA) when nothing handles the name.
      return cfg.recursors.length > 0 ? base(Rcode.NOERROR, {recurse: true}) : base(Rcode.REFUSED, {aa: false, trim: false})
    case 'ptr':
      return resolvePtr(plan.ip, q, catalog, cfg)
    case 'soa':
      return base(Rcode.NOERROR, {
        soa: 'answer', soaDomain: plan.domain, groups: nameServerGroups(plan.domain, catalog, cfg),
        groupSection: 'authority', shuffle: true, groupLimit: 3,
      })
    case 'ns':
      return base(Rcode.NOERROR, {groups: nameServerGroups(plan.domain, catalog, cfg), shuffle: true, groupLimit: 3})
    case 'notimp':
      return base(Rcode.NOTIMP)
    case 'invalid':
      return nxdomain(plan.domain)
    case 'query':
      // Prepared queries run through the RPC seam (handler.ts); without that port none is known.
      return nxdomain(plan.domain)
    case 'addr':
      return resolveAddr(plan.ip, q, cfg)
    case 'node':
      return resolveNode(plan.node, plan.dc ?? catalog.datacenter, plan.domain, q, catalog, cfg, depth)
    case 'service':
      return resolveService(plan, q, catalog, cfg, depth)
  }
}

/**
 * A prepared query's answer (Consul's preparedQueryLookup): the instances Execute chose,
 * in its order (already shuffled or sorted near the source), with the query's DNS TTL
 * or else dns_config.service_ttl for the service.
 */
export function resolvePreparedQuery(
  plan: Extract<Plan, {kind: 'query'}>, q: ResolveInput, result: DnsQueryResult, catalog: DnsCatalog, cfg: DnsConfig,
): Resolution {
  if (result.kind === 'not-found') return {...nxdomain(plan.domain), cacheable: false}
  if (result.kind === 'error') return base(Rcode.SERVFAIL, {cacheable: false, trim: false})
  if (result.nodes.length === 0) return {...nxdomain(plan.domain), cacheable: false}
  const ttl = result.ttl !== '' ? Math.floor(parseDuration(result.ttl) / 1000) : serviceTtlFor(cfg, result.service)
  const dc = (result.datacenter || catalog.datacenter).toLowerCase()
  const ctx: InstanceCtx = {q, dc, domain: plan.domain, ttl, catalog, cfg, depth: MAX_DEPTH}
  const res = q.qtype === QType.SRV ? srvResolution([...result.nodes], ctx) : addressResolution([...result.nodes], ctx)
  const out = {...res, shuffle: false, cacheable: false}
  return out.groups.length === 0 ? {...nodata(plan.domain), cacheable: false} : out
}

function isKnownDc(catalog: DnsCatalog, dc: string): boolean {
  return dc === catalog.datacenter || catalog.knownDatacenters().includes(dc)
}

function resolveService(
  plan: Extract<Plan, {kind: 'service'}>, q: ResolveInput, catalog: DnsCatalog, cfg: DnsConfig, depth: number,
): Resolution {
  const dc = plan.dc ?? catalog.datacenter
  // Unknown datacenter: fail fast, without asking anyone (Consul's ErrNoDCPath → NXDOMAIN).
  if (!isKnownDc(catalog, dc)) return nxdomain(plan.domain)
  const all = catalog.serviceNodes(dc, plan.service)
  if (all === undefined) return base(Rcode.SERVFAIL, {cacheable: false, trim: false})
  const tag = plan.tag.toLowerCase()
  const tagged = tag === '' ? all : all.filter((n) => n.Service.Tags?.some((t) => t.toLowerCase() === tag))
  const nodes = healthy(tagged, cfg.onlyPassing)
  if (nodes.length === 0) return nxdomain(plan.domain)
  const ttl = serviceTtlFor(cfg, plan.service)
  const ctx: InstanceCtx = {q, dc, domain: plan.domain, ttl, catalog, cfg, depth}
  const res = q.qtype === QType.SRV ? srvResolution(nodes, ctx) : addressResolution(nodes, ctx)
  return res.groups.length === 0 ? nodata(plan.domain) : res
}

interface InstanceCtx {
  q: ResolveInput
  dc: string
  domain: string
  ttl: number
  catalog: DnsCatalog
  cfg: DnsConfig
  depth: number
}

function srvResolution(nodes: CheckServiceNode[], ctx: InstanceCtx): Resolution {
  const seen = new Set<string>()
  const groups: Group[] = []
  for (const n of nodes) {
    // Same node, address and port twice (e.g. two registrations) → one record.
    const tuple = `${n.Node.Node}:${serviceAddress(n, acceptFor(QType.ANY))}:${n.Service.Port}`
    if (seen.has(tuple)) continue
    seen.add(tuple)
    const g = instanceRecords(n, ctx)
    if (!g || g.answers.length === 0) continue
    if (ctx.cfg.enableAdditionalNodeMetaTxt) {
      g.extras.push(...nodeMetaTxt(n.Node, nodeFqdn(n.Node.Node, ctx.dc, ctx.domain), ctx.ttl))
    }
    groups.push(g)
  }
  return base(Rcode.NOERROR, {groups, shuffle: true})
}

function addressResolution(nodes: CheckServiceNode[], ctx: InstanceCtx): Resolution {
  const seen = new Set<string>()
  const addrGroups: Group[] = []
  const cnameGroups: Group[] = []
  for (const n of nodes) {
    const g = instanceRecords(n, ctx)
    if (!g || g.answers.length === 0) continue
    const key = rrKey(g.answers[0])
    if (seen.has(key)) continue
    seen.add(key)
    ;(g.answers[0].type === 'CNAME' ? cnameGroups : addrGroups).push(g)
  }
  // Consul answers with one CNAME (picked after the shuffle) only when no instance has an IP.
  if (addrGroups.length > 0) return base(Rcode.NOERROR, {groups: addrGroups, shuffle: true, groupLimit: ctx.cfg.aRecordLimit})
  return base(Rcode.NOERROR, {groups: cnameGroups, shuffle: true, groupLimit: 1})
}

/** Consul's makeNodeServiceRecords: which address, which SRV target, which glue. */
function instanceRecords(n: CheckServiceNode, ctx: InstanceCtx): Group | undefined {
  const accept = acceptFor(ctx.q.qtype)
  const svcAddr = serviceAddress(n, accept)
  const nodeAddr = nodeAddress(n.Node, accept)
  if (svcAddr === '' && nodeAddr === '') return undefined
  const nodeIp = parseIp(nodeAddr)
  const svcIp = parseIp(svcAddr)
  if (svcAddr === '' && nodeIp) {
    // A tagged node address is not the node's canonical one, so it gets an .addr. target.
    return n.Node.Address !== nodeAddr ? fromIp(n, nodeIp, ctx) : fromNode(n, nodeIp, ctx)
  }
  if (svcAddr === '') return fromFqdn(n, nodeAddr, ctx)
  if (svcIp) return fromIp(n, svcIp, ctx)
  if (svcAddr.toLowerCase().replace(/\.$/, '') === ctx.q.name.toLowerCase().replace(/\.$/, '') && nodeIp) return fromNode(n, nodeIp, ctx)
  return fromFqdn(n, svcAddr, ctx)
}

function srv(n: CheckServiceNode, target: string, ctx: InstanceCtx): Rr {
  return {type: 'SRV', name: ctx.q.name, ttl: ctx.ttl, priority: 1, weight: srvWeight(n), port: clampU16(n.Service.Port), target}
}

function fromNode(n: CheckServiceNode, ip: Uint8Array, ctx: InstanceCtx): Group | undefined {
  if (ctx.q.qtype !== QType.SRV) return plainAddress(ip, ctx)
  const target = nodeFqdn(n.Node.Node, ctx.dc, ctx.domain)
  if (!isEncodableName(target)) return undefined
  const glue = addressRecord(QType.SRV, ip, target, ctx.ttl)
  return {answers: [srv(n, target, ctx)], extras: glue ? [glue] : []}
}

function fromIp(n: CheckServiceNode, ip: Uint8Array, ctx: InstanceCtx): Group | undefined {
  if (ctx.q.qtype !== QType.SRV) return plainAddress(ip, ctx)
  const target = `${ipHex(ip)}.addr.${ctx.dc}.${ctx.domain}`
  const glue = addressRecord(QType.SRV, ip, target, ctx.ttl)
  return {answers: [srv(n, target, ctx)], extras: glue ? [glue] : []}
}

function plainAddress(ip: Uint8Array, ctx: InstanceCtx): Group | undefined {
  const rec = addressRecord(ctx.q.qtype, ip, ctx.q.name, ctx.ttl)
  return rec ? {answers: [rec], extras: []} : undefined
}

/** The instance's address is a host name: SRV straight to it, or a CNAME plus what the domain knows of it. */
function fromFqdn(n: CheckServiceNode, host: string, ctx: InstanceCtx): Group | undefined {
  if (!isEncodableName(host)) return undefined
  const more = followInDomain(host, ctx).filter((r) => r.type === 'CNAME' || r.type === 'A' || r.type === 'AAAA')
    .map((r) => ({...r, ttl: ctx.ttl}))
  if (ctx.q.qtype === QType.SRV) return {answers: [srv(n, host, ctx)], extras: more}
  return {answers: [{type: 'CNAME', name: ctx.q.name, ttl: ctx.ttl, target: host}, ...more], extras: []}
}

/**
 * Records for a CNAME target inside the DNS domain (resolved locally, bounded
 * depth). Targets outside the domain are left to the client: the pure builder
 * never contacts recursors (Consul would, when recursors are configured).
 */
function followInDomain(target: string, ctx: Pick<InstanceCtx, 'catalog' | 'cfg' | 'depth'>): Rr[] {
  if (ctx.depth < 1) return []
  const plan = parseQuestion(target, QType.ANY, ctx.cfg)
  if (plan.kind === 'outside' || plan.kind === 'ptr') return []
  const r = resolvePlan(plan, {name: target, qtype: QType.ANY}, ctx.catalog, ctx.cfg, ctx.depth - 1)
  return [...r.answers, ...r.groups.flatMap((g) => g.answers)]
}

export function nodeFqdn(node: string, dc: string, domain: string): string {
  return `${node}.node.${dc}.${domain}`
}

function resolveNode(
  name: string, dc: string, domain: string, q: ResolveInput, catalog: DnsCatalog, cfg: DnsConfig, depth: number,
): Resolution {
  const t = q.qtype
  // Consul answers other types with an empty NOERROR; we add the SOA (RFC 2308 NODATA).
  if (t !== QType.ANY && t !== QType.A && t !== QType.AAAA && t !== QType.TXT) return nodata(domain)
  if (!isKnownDc(catalog, dc)) return nxdomain(domain)
  const node = catalog.node(dc, name)
  if (node === null) return base(Rcode.SERVFAIL, {cacheable: false, trim: false})
  if (!node) return nxdomain(domain)
  const answers: Rr[] = []
  const extras: Rr[] = []
  if (t !== QType.TXT) {
    const {records, cnameTo} = nodeAddressRecords(node, t, q.name, cfg.nodeTtlS)
    if (cnameTo !== undefined && !isEncodableName(cnameTo)) return nodata(domain)
    answers.push(...records)
    if (cnameTo !== undefined) answers.push(...followInDomain(cnameTo, {catalog, cfg, depth}))
  }
  if (cfg.enableAdditionalNodeMetaTxt || t === QType.TXT || t === QType.ANY) {
    const txt = nodeMetaTxt(node, q.name, cfg.nodeTtlS)
    ;(t === QType.TXT || t === QType.ANY ? answers : extras).push(...txt)
  }
  if (answers.length === 0) return {...nodata(domain), extras}
  return base(Rcode.NOERROR, {answers, extras})
}

function resolveAddr(ip: Uint8Array, q: ResolveInput, cfg: DnsConfig): Resolution {
  const rec: Rr = {type: ip.length === 4 ? 'A' : 'AAAA', name: q.name, ttl: cfg.nodeTtlS, address: ip}
  const matches = q.qtype === QType.ANY || (ip.length === 4 ? q.qtype === QType.A : q.qtype === QType.AAAA)
  // Consul puts a family mismatch in the additional section and still answers NOERROR.
  return matches ? base(Rcode.NOERROR, {answers: [rec]}) : base(Rcode.NOERROR, {extras: [rec]})
}

/** Up to three healthy servers (the `consul` service) as NS records with glue. */
function nameServerGroups(domain: string, catalog: DnsCatalog, cfg: DnsConfig): Group[] {
  const dc = catalog.datacenter
  const servers = healthy(catalog.serviceNodes(dc, 'consul') ?? [], cfg.onlyPassing)
  const groups: Group[] = []
  const seen = new Set<string>()
  for (const s of servers) {
    const name = s.Node.Node
    if (INVALID_NS_NAME.test(name) || seen.has(name.toLowerCase())) continue
    seen.add(name.toLowerCase())
    const fqdn = nodeFqdn(name, s.Node.Datacenter || dc, domain).toLowerCase()
    if (!isEncodableName(fqdn)) continue
    const glue = nodeAddressRecords(s.Node, QType.ANY, fqdn, cfg.nodeTtlS).records
    groups.push({answers: [{type: 'NS', name: domain, ttl: cfg.nodeTtlS, target: fqdn}], extras: glue})
  }
  return groups
}

function resolvePtr(ip: Uint8Array | undefined, q: ResolveInput, catalog: DnsCatalog, cfg: DnsConfig): Resolution {
  const domain = cfg.domain.replace(/\.$/, '')
  const answers: Rr[] = []
  if (ip) {
    const target = ptrTarget(ip, catalog, domain)
    if (target && isEncodableName(target)) answers.push({type: 'PTR', name: q.name, ttl: 0, target})
  }
  const soa = q.qtype === QType.SOA ? 'answer' as const : undefined
  if (answers.length > 0) return base(Rcode.NOERROR, {answers, soa, soaDomain: domain, trim: false})
  if (cfg.recursors.length > 0) return base(Rcode.NOERROR, {recurse: true})
  return base(Rcode.NXDOMAIN, {soa: soa ?? 'authority', soaDomain: domain, trim: false})
}

/** A node with that address first, else a service instance registered with it. */
function ptrTarget(ip: Uint8Array, catalog: DnsCatalog, domain: string): string | undefined {
  const node = catalog.nodes().find((n: Node) => {
    const a = parseIp(n.Address)
    return a !== undefined && sameIp(a, ip)
  })
  if (node) return nodeFqdn(node.Node, node.Datacenter || catalog.datacenter, domain)
  const inst = catalog.serviceInstances().find((s) => {
    const a = parseIp(s.Service.Address)
    return a !== undefined && sameIp(a, ip)
  })
  if (inst) return `${inst.Service.Service}.service.${inst.Node.Datacenter || catalog.datacenter}.${domain}`
  return undefined
}
