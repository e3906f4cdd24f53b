import dnsPacket from 'dns-packet'
import {resolveQuestion} from '../dns/answer.js'
import {parseQuestion} from '../dns/query.js'
import type {DnsCatalog} from '../dns/catalog-port.js'
import type {DnsConfig} from '../dns/config.js'
import {questionTypeOffset} from '../dns/handler.js'
import type {RpcCache} from '../cache/rpc-cache.js'
import {translateEntry, translateNode} from '../http/translate.js'
import type {Env, Logger} from '../env/types.js'
import type {RpcDelegate} from '../server/endpoints/index.js'
import type {CheckServiceNode, Node, NodeService} from '../../store/state/types.js'

/** Names remembered between queries (a bound on what a flood of random names can hold). */
const MAX_REMEMBERED = 4096
/** Rounds of "resolve, see what is missing, fetch it": a service answer may lead to a node lookup. */
const MAX_ROUNDS = 4

export interface RemoteDnsOptions {
  datacenter: string
  rpc: RpcDelegate
  /** dns_config.use_cache: service lookups come from the agent cache instead of a server round trip. */
  cache?: RpcCache
  config: DnsConfig
  env: Env
  log: Logger
  /**
   * On a server: its own datacenter is read here, from local state; only other
   * datacenters are asked over RPC (Consul's DNS forwards those to the datacenter).
   */
  localView?: DnsCatalog
  /** Datacenters known over the WAN (a server's WAN pool); a client asks a server for them. */
  datacenters?: () => readonly string[]
  /** translate_wan_addrs: other datacenters' nodes and services answer with their WAN addresses. */
  translateWan?: boolean
}

/** How long a client trusts its list of datacenters before asking a server again. */
const DATACENTERS_TTL_MS = 10_000

interface Stored<T> {
  value: T | undefined
  /** Raft index of the reply (or the reply itself, for cache hits): unchanged means the answer can stay. */
  tag: unknown
}

/**
 * A client agent's DNS view. It holds no catalog, so before each query is answered
 * `prefetch` asks a server for what the answer needs, as Consul's DNS does: every
 * query is an RPC (stale reads allowed by default, dns_config.allow_stale/max_stale),
 * or, with dns_config.use_cache, service lookups are served from the agent cache, which
 * a background blocking query keeps fresh. What it needs is found by resolving the
 * question against a recording view; the synchronous DnsCatalog methods then read what
 * the fetches stored. A read that failed leaves its name unreadable, so DNS answers
 * SERVFAIL rather than an invented empty answer.
 */
export function remoteDnsCatalog(o: RemoteDnsOptions): DnsCatalog & {stop(): void} {
  const {datacenter, rpc, config} = o
  let version = 0
  let stopped = false
  const services = new Map<string, Stored<readonly CheckServiceNode[]>>()
  /** value: the node, null when the server says there is none, undefined when the read failed. */
  const nodeByName = new Map<string, Stored<Node | null>>()
  let allNodes: Stored<Node[]> = {value: undefined, tag: undefined}
  let allInstances: Stored<{Node: Node; Service: NodeService}[]> = {value: undefined, tag: undefined}
  const local = (dc: string) => dc.toLowerCase() === datacenter
  /** Names are remembered per datacenter: the same service exists in several. */
  const keyOf = (dc: string, name: string) => (local(dc) ? name.toLowerCase() : `${dc.toLowerCase()}/${name.toLowerCase()}`)
  let knownDcs: readonly string[] = [datacenter]
  let knownDcsAt = -Infinity
  const datacenters = (): readonly string[] => o.datacenters?.().map((d) => d.toLowerCase()) ?? knownDcs
  async function fetchDatacenters(): Promise<void> {
    try {
      const dcs = await rpc('Catalog.ListDatacenters', undefined as never)
      knownDcs = dcs.map((d) => d.toLowerCase())
      version++
    } catch (e) {
      o.log.debug('DNS: listing datacenters failed', {error: (e as Error).message})
    }
    knownDcsAt = o.env.clock.nowMs()
  }

  function remember<T>(map: Map<string, Stored<T>>, key: string, next: Stored<T>): void {
    const prev = map.get(key)
    if (prev && prev.tag === next.tag && next.tag !== undefined) return
    map.delete(key)
    if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!)
    map.set(key, next)
    version++
  }

  /** A stale read, retried against the leader when the answering server is too far behind (Consul's max_stale). */
  async function staleRead<M extends 'Health.ServiceNodes' | 'Catalog.NodeServices' | 'Catalog.ListNodes' | 'Catalog.ServiceInstances'>(method: M, req: object) {
    const r = await rpc(method, {...req, AllowStale: config.allowStale} as never)
    if (config.allowStale && r.meta.lastContactMs > config.maxStaleMs) return rpc(method, {...req, AllowStale: false} as never)
    return r
  }

  async function fetchService(dc: string, name: string): Promise<void> {
    const key = keyOf(dc, name)
    try {
      if (!local(dc)) {
        const r = await staleRead('Health.ServiceNodes', {ServiceName: name, Datacenter: dc})
        remember(services, key, {value: o.translateWan ? r.value.map(translateEntry) : r.value, tag: r.meta.index})
      } else if (o.cache) {
        // The same request as an untagged HTTP read, so DNS and ?cached share one entry per service.
        const r = await o.cache.get('Health.ServiceNodes', {ServiceName: key, ServiceTags: []}, {minIndex: 0, timeoutMs: 0, maxAgeMs: config.cacheMaxAgeMs || undefined})
        remember(services, key, {value: r.reply.value, tag: r.reply})
      } else {
        const r = await staleRead('Health.ServiceNodes', {ServiceName: name})
        remember(services, key, {value: r.value, tag: r.meta.index})
      }
    } catch (e) {
      o.log.debug('DNS: service lookup failed', {service: name, error: (e as Error).message})
      remember(services, key, {value: undefined, tag: undefined})
    }
  }

  async function fetchNode(dc: string, name: string): Promise<void> {
    const key = keyOf(dc, name)
    try {
      const r = await staleRead('Catalog.NodeServices', local(dc) ? {Node: name} : {Node: name, Datacenter: dc})
      const n = r.value?.Node
      remember(nodeByName, key, {value: n ? (!local(dc) && o.translateWan ? translateNode(n) : n) : null, tag: r.meta.index})
    } catch (e) {
      o.log.debug('DNS: node lookup failed', {node: name, error: (e as Error).message})
      remember(nodeByName, key, {value: undefined, tag: undefined})
    }
  }

  async function fetchAll(): Promise<void> {
    try {
      const [n, s] = await Promise.all([staleRead('Catalog.ListNodes', {}), staleRead('Catalog.ServiceInstances', {})])
      if (allNodes.tag !== n.meta.index || allInstances.tag !== s.meta.index) version++
      allNodes = {value: [...n.value].sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0)), tag: n.meta.index}
      allInstances = {value: s.value.map((r) => ({Node: r.Node, Service: r.Service})).sort((a, b) => (a.Node.Node < b.Node.Node ? -1 : a.Node.Node > b.Node.Node ? 1 : 0)), tag: s.meta.index}
    } catch (e) {
      o.log.debug('DNS: reverse lookup read failed', {error: (e as Error).message})
      allNodes = {value: undefined, tag: undefined}
      allInstances = {value: undefined, tag: undefined}
      version++
    }
  }

  const view: DnsCatalog = {
    datacenter,
    index: () => version,
    knownDatacenters: () => datacenters(),
    serviceNodes(dc, service) {
      if (local(dc) && o.localView) return o.localView.serviceNodes(dc, service)
      return services.get(keyOf(dc, service))?.value
    },
    node(dc, name) {
      if (local(dc) && o.localView) return o.localView.node(dc, name)
      const stored = nodeByName.get(keyOf(dc, name))
      // A failed read is null (SERVFAIL); an absent node, undefined (NXDOMAIN).
      if (!stored) return null
      return stored.value === undefined ? null : stored.value ?? undefined
    },
    nodes: () => (o.localView ? o.localView.nodes() : allNodes.value ?? []),
    serviceInstances: () => (o.localView ? o.localView.serviceInstances() : allInstances.value ?? []),
  }
  if (o.localView) {
    // Answers from local state change with its index; remote answers with this view's version.
    const localView = o.localView
    view.index = () => localView.index() * 1_000_003 + version
  }

  /** Resolves the question against what this query has fetched so far; returns the fetches still missing. */
  function missing(name: string, qtype: number, fetched: Set<string>): Map<string, () => Promise<void>> {
    const needs = new Map<string, () => Promise<void>>()
    const recorder: DnsCatalog = {
      ...view,
      knownDatacenters() {
        // A client refreshes its list of datacenters now and then, before answering.
        if (!o.datacenters && !fetched.has('dcs') && o.env.clock.nowMs() - knownDcsAt > DATACENTERS_TTL_MS) needs.set('dcs', fetchDatacenters)
        return view.knownDatacenters()
      },
      serviceNodes(dc, service) {
        if (local(dc) && o.localView) return view.serviceNodes(dc, service)
        const k = `s:${keyOf(dc, service)}`
        if (fetched.has(k)) return view.serviceNodes(dc, service)
        needs.set(k, () => fetchService(dc, service))
        return undefined
      },
      node(dc, n) {
        if (local(dc) && o.localView) return view.node(dc, n)
        const k = `n:${keyOf(dc, n)}`
        if (fetched.has(k)) return view.node(dc, n)
        needs.set(k, () => fetchNode(dc, n))
        return undefined
      },
      nodes() {
        if (o.localView) return view.nodes()
        if (fetched.has('all')) return view.nodes()
        needs.set('all', fetchAll)
        return []
      },
      serviceInstances() {
        if (o.localView) return view.serviceInstances()
        if (fetched.has('all')) return view.serviceInstances()
        needs.set('all', fetchAll)
        return []
      },
    }
    try {
      resolveQuestion({name, qtype}, recorder, config)
    } catch {
      // The real resolution answers (or fails) the query; here only the needs matter.
    }
    return needs
  }

  /**
   * On a server: its own datacenter's questions whose recording pass needed no fetch, with the
   * local index and datacenters it ran against. Such an answer reads only local state, so until
   * that changes the pass would again need nothing. (It cannot be skipped outright: a service or
   * node address naming another datacenter, "api.service.dc2.consul", is followed there.)
   */
  const selfContained = new Map<string, string>()

  /** undefined when the answer needs nothing fetched (a server's own datacenter): answered at once. */
  function prefetch(name: string, qtype: number): Promise<void> | undefined {
    let memo: {key: string; tag: string} | undefined
    if (o.localView) {
      const plan = parseQuestion(name, qtype, config)
      // Other kinds (PTR, SOA/NS, .addr., prepared queries, names outside the domain) read
      // nothing from another datacenter on a server.
      if (plan.kind !== 'service' && plan.kind !== 'node') return undefined
      if (plan.dc === undefined || local(plan.dc)) {
        memo = {key: `${qtype} ${name}`, tag: `${o.localView.index()} ${datacenters().join(',')}`}
        if (selfContained.get(memo.key) === memo.tag) return undefined
      }
    }
    const fetched = new Set<string>()
    const first = missing(name, qtype, fetched)
    if (first.size === 0) {
      if (memo) {
        selfContained.delete(memo.key)
        if (selfContained.size >= MAX_REMEMBERED) selfContained.delete(selfContained.keys().next().value!)
        selfContained.set(memo.key, memo.tag)
      }
      return undefined
    }
    return (async () => {
      let needs = first
      for (let round = 0; round < MAX_ROUNDS && !stopped && needs.size > 0; round++) {
        await Promise.all([...needs].map(([k, fetch]) => fetch().then(() => { fetched.add(k) })))
        needs = missing(name, qtype, fetched)
      }
    })()
  }

  return {
    ...view,
    prefetch(packet: Buffer): Promise<void> | undefined {
      if (stopped || packet.length < 12 || packet.readUInt16BE(4) !== 1) return undefined
      let name: string
      let qtype: number
      try {
        const q = dnsPacket.decode(packet).questions?.[0]
        if (!q || typeof q.name !== 'string') return undefined
        name = q.name === '.' ? '' : q.name
        qtype = packet.readUInt16BE(questionTypeOffset(packet))
      } catch {
        return undefined // malformed: the handler answers FORMERR without a server
      }
      return prefetch(name, qtype)
    },
    stop() {
      stopped = true
    },
  }
}
