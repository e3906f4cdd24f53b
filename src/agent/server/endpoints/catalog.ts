import type {StateStore} from '../../../store/state/store.js'
import type {DeregisterRequest, RegisterRequest} from '../../../store/state/requests.js'
import type {CheckServiceNode, HealthCheck, Node, NodeServices, ServiceNodeRow} from '../../../store/state/types.js'
import {WatchSet} from '../../../store/state/watch.js'
import {sortByDistance, type NearSource} from '../near.js'
import {EndpointError} from './errors.js'
import {StateError} from '../../../store/state/errors.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** ?near: sort by estimated RTT from this node (inside the read: it sees the same store). */
function near<T>(s: StateStore, source: NearSource | undefined, items: T[], nodeOf: (item: T) => string): T[] {
  return source ? sortByDistance(s, source, items, nodeOf) : items
}

function metaMatches(meta: Record<string, string>, filters: Record<string, string> | undefined): boolean {
  if (!filters) return true
  return Object.entries(filters).every(([k, v]) => meta[k] === v)
}

type Checks = 'any' | 'passing' | 'warning' | 'critical'

/**
 * One discovery result shared by every request for the same service and tags while the
 * catalog is unchanged, so a status flip that wakes a thousand parked queries reads the
 * instances once (the HTTP layer then renders each distinct body once per result).
 */
interface Discovery {
  version: number
  keys: string[]
  index: number
  entries: CheckServiceNode[]
}
const MAX_QUERIES_PER_STORE = 256
const discoveries = new WeakMap<StateStore, Map<string, Discovery>>()

function discover(s: StateStore, name: string, tags: string[], ws: WatchSet | undefined): {index: number; value: CheckServiceNode[]} {
  let byKey = discoveries.get(s)
  if (!byKey) discoveries.set(s, (byKey = new Map()))
  const key = `${name.toLowerCase()}\u0000${tags.join('\u0000')}`
  const version = s.maxIndex('nodes', 'services', 'checks')
  let d = byKey.get(key)
  if (!d || d.version !== version) {
    const own = new WatchSet()
    const r = s.checkServiceNodes(name, tags.length ? tags : undefined, own)
    d = {version, keys: [...own.keys], index: r.index, entries: r.value}
    byKey.delete(key)
    byKey.set(key, d)
    if (byKey.size > MAX_QUERIES_PER_STORE) byKey.delete(byKey.keys().next().value!)
  }
  if (ws) for (const k of d.keys) ws.add(k)
  return {index: d.index, value: d.entries}
}

export function catalogEndpoints(d: EndpointDeps) {
  const write = async (cmd: Parameters<EndpointDeps['server']['apply']>[0]): Promise<boolean> => {
    const res = await d.server.apply(cmd)
    if (res instanceof StateError && res.code === 'missing-node') throw new EndpointError('missing-node', res.message)
    if (res instanceof Error) throw new EndpointError('internal', res.message)
    return true
  }
  return {
    'Catalog.Register': (r: RegisterRequest): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      return write({type: 'register', req: {...r, Datacenter: d.datacenter}, now: d.env.clock.wallMs()})
    },
    'Catalog.Deregister': (r: DeregisterRequest & {Datacenter?: string}): Promise<boolean> => {
      checkDc(d, r.Datacenter)
      const {Datacenter: _dc, ...req} = r
      return write({type: 'deregister', req, now: d.env.clock.wallMs()})
    },
    /** This datacenter only, until the WAN carries others. */
    'Catalog.ListDatacenters': async (): Promise<string[]> => d.datacenters?.() ?? [d.datacenter],
    'Catalog.ListNodes': (r: {Near?: NearSource} & QueryOptions, signal?: AbortSignal): Promise<Read<Node[]>> =>
      query(d, r, (s, ws) => {
        const n = s.nodes(ws)
        return {index: n.index, value: near(s, r.Near, n.value, (x) => x.Node)}
      }, signal),
    'Catalog.ListServices': (r: QueryOptions, signal?: AbortSignal): Promise<Read<Record<string, string[]>>> =>
      query(d, r, (s, ws) => {
        const m = s.services(ws)
        return {index: m.index, value: Object.fromEntries(m.value)}
      }, signal),
    /** Every instance of every service, at the services index (for filtered service lists). */
    'Catalog.ServiceInstances': (r: QueryOptions, signal?: AbortSignal): Promise<Read<ServiceNodeRow[]>> =>
      query(d, r, (s, ws) => {
        const names = s.services(ws)
        return {index: names.index, value: [...names.value.keys()].flatMap((name) => s.serviceNodes(name, undefined, undefined).value)}
      }, signal),
    'Catalog.ServiceNodes': (r: {ServiceName: string; ServiceTags?: string[]; Near?: NearSource} & QueryOptions, signal?: AbortSignal): Promise<Read<ServiceNodeRow[]>> =>
      query(d, r, (s, ws) => {
        const rows = s.serviceNodes(r.ServiceName, r.ServiceTags?.length ? r.ServiceTags : undefined, ws)
        return {index: rows.index, value: near(s, r.Near, rows.value, (x) => x.Node.Node)}
      }, signal),
    /** The node and its services; null when the node is unknown. */
    'Catalog.NodeServices': (r: {Node: string} & QueryOptions, signal?: AbortSignal): Promise<Read<NodeServices | null>> =>
      query(d, r, (s, ws) => {
        const ns = s.nodeServices(r.Node, ws)
        return {index: ns.index, value: ns.value ?? null}
      }, signal),

    'Health.NodeChecks': (r: {Node: string} & QueryOptions, signal?: AbortSignal): Promise<Read<HealthCheck[]>> =>
      query(d, r, (s, ws) => s.nodeChecks(r.Node, ws), signal),
    'Health.ServiceChecks': (r: {ServiceName: string; NodeMetaFilters?: Record<string, string>} & QueryOptions, signal?: AbortSignal): Promise<Read<HealthCheck[]>> =>
      query(d, r, (s, ws) => {
        const c = s.serviceChecks(r.ServiceName, ws)
        if (!r.NodeMetaFilters) return c
        return {index: c.index, value: c.value.filter((x) => metaMatches(s.node(x.Node).value?.Meta ?? {}, r.NodeMetaFilters))}
      }, signal),
    'Health.ChecksInState': (r: {State: Checks; NodeMetaFilters?: Record<string, string>} & QueryOptions, signal?: AbortSignal): Promise<Read<HealthCheck[]>> =>
      query(d, r, (s, ws) => {
        const c = s.checksInState(r.State, ws)
        if (!r.NodeMetaFilters) return c
        return {index: c.index, value: c.value.filter((x) => metaMatches(s.node(x.Node).value?.Meta ?? {}, r.NodeMetaFilters))}
      }, signal),
    /**
     * The discovery read: instances with node and checks. Without ?near the array is
     * shared by every caller while the catalog is unchanged (callers must not mutate it).
     */
    'Health.ServiceNodes': (r: {ServiceName: string; ServiceTags?: string[]; Near?: NearSource} & QueryOptions, signal?: AbortSignal): Promise<Read<CheckServiceNode[]>> =>
      query(d, r, (s, ws) => {
        const got = discover(s, r.ServiceName, r.ServiceTags ?? [], ws)
        return r.Near ? {index: got.index, value: near(s, r.Near, got.value, (e) => e.Node.Node)} : got
      }, signal),
  }
}
