import {StateError} from '../../../store/state/errors.js'
import type {PreparedQuery, QuerySource} from '../../../store/state/query-types.js'
import type {StateStore} from '../../../store/state/store.js'
import type {CheckServiceNode} from '../../../store/state/types.js'
import {DurationError, parseDuration} from '../../config/duration.js'
import {sortByDistance} from '../near.js'
import {queryFailover, type ExecuteRemoteRequest, type ExecuteResult, type FailoverPort} from '../prepared-query/failover.js'
import {filterForQuery, shuffle} from '../prepared-query/filter.js'
import {EndpointError, asEndpointError} from './errors.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

export type {ExecuteRemoteRequest, ExecuteResult, FailoverPort} from '../prepared-query/failover.js'

/** Consul's PreparedQueryRequest. */
export interface PreparedQueryApplyRequest {
  Datacenter?: string
  Op: string
  Query: PreparedQuery
}

/** Consul's PreparedQueryExecuteRequest (Agent: the agent that took the request; Source: ?near and the client's IP). */
export interface PreparedQueryExecuteRequest extends QueryOptions {
  QueryIDOrName: string
  Limit?: number
  Connect?: boolean
  Source?: Partial<QuerySource>
  Agent: QuerySource
}

const NOT_FOUND = 'Query not found'
const META_MAX_PAIRS = 64
const META_KEY_MAX = 128
const META_VALUE_MAX = 512

/** Consul's structs.ValidateNodeMetadata(meta, allowConsulPrefix = true). */
function validateNodeMeta(meta: Record<string, string> | null): void {
  if (!meta) return
  const keys = Object.keys(meta)
  if (keys.length > META_MAX_PAIRS) throw new Error(`Node metadata cannot contain more than ${META_MAX_PAIRS} key/value pairs`)
  for (const k of keys) {
    const v = meta[k]!
    const bad = k === '' ? 'Key cannot be blank'
      : !/^[a-zA-Z0-9_-]+$/.test(k) ? 'Key contains invalid characters'
        : k.length > META_KEY_MAX ? `Key is too long (limit: ${META_KEY_MAX} characters)`
          : v.length > META_VALUE_MAX ? `Value is too long (limit: ${META_VALUE_MAX} characters)` : ''
    if (bad) throw new Error(`Couldn't load metadata pair ('${k}', '${v}'): ${bad}`)
  }
}

/** Consul's parseQuery: the checks made before a create/update goes to Raft. */
export function validateQuery(q: PreparedQuery): void {
  if (q.Name === '' && q.Template.Type === '' && q.Session === '') throw new Error('Must be bound to a session')
  if (q.Token === '<hidden>') throw new Error(`Bad Token '${q.Token}', it looks like a query definition with a redacted token was submitted`)
  const s = q.Service
  if (s.Service === '') throw new Error('Must provide a Service name to query')
  if (s.Failover.NearestN < 0) throw new Error(`Bad NearestN '${s.Failover.NearestN}', must be >= 0`)
  if ((s.Failover.NearestN !== 0 || (s.Failover.Datacenters?.length ?? 0) !== 0) && (s.Failover.Targets?.length ?? 0) !== 0) {
    throw new Error('Targets cannot be populated with NearestN or Datacenters')
  }
  validateNodeMeta(s.NodeMeta)
  if (q.DNS.TTL !== '') {
    let ms: number
    try {
      ms = parseDuration(q.DNS.TTL)
    } catch (e) {
      if (e instanceof DurationError) throw new Error(`Bad DNS TTL '${q.DNS.TTL}': time: ${e.message}`)
      throw e
    }
    if (ms < 0) throw new Error(`DNS TTL '${Math.round(ms * 1e6)}', must be >=0`)
  }
}

/** What a query can do in this build: Connect needs the service mesh, peers and sameness groups need peering. */
function checkSupported(q: PreparedQuery, connect: boolean | undefined): void {
  if (q.Service.Connect || connect) throw new EndpointError('internal', 'Connect-capable service lookups are not implemented (dc has no service mesh)')
  if (q.Service.Peer !== '' || q.Service.SamenessGroup !== '' || (q.Service.Failover.Targets?.length ?? 0) > 0) {
    throw new EndpointError('internal', 'cluster peering (Peer, SamenessGroup, Failover.Targets) is not implemented')
  }
}

/** The query run against this datacenter's state, without failover (Consul's PreparedQuery.execute). */
function executeLocal(s: StateStore, q: PreparedQuery, datacenter: string): ExecuteResult {
  const nodes = filterForQuery(s.checkServiceNodes(q.Service.Service).value, q.Service)
  return {Service: q.Service.Service, Nodes: nodes, DNS: {...q.DNS}, Datacenter: datacenter, Failovers: 0}
}

/** Consul's source resolution for distance sorting: ?near beats the query's Near; `_agent` and `_ip` are magic. */
function sortSource(s: StateStore, q: PreparedQuery, r: PreparedQueryExecuteRequest): {dc: string; node: string; segment: string} {
  const src = r.Source ?? {}
  const dc = src.Datacenter || r.Agent.Datacenter
  let node = src.Node ?? ''
  if (q.Service.Near !== '' && node === '') node = q.Service.Near
  if (node === '_agent') node = r.Agent.Node
  else if (node === '_ip') {
    const ip = src.Ip ?? ''
    node = ip ? (s.nodes().value.find((n) => n.Address === ip)?.Node ?? '') : ''
  }
  return {dc, node, segment: src.Segment ?? r.Agent.Segment ?? ''}
}

/** Shuffle, then sort by distance from the source and put the source node first (Consul's Execute, steps after execute). */
function order(s: StateStore, nodes: CheckServiceNode[], src: {dc: string; node: string; segment: string}, replyDc: string, localDc: string, randomInt: (n: number) => number): CheckServiceNode[] {
  let out = shuffle([...nodes], randomInt)
  if (src.node === '' || src.dc !== localDc) return out
  out = sortByDistance(s, {node: src.node, segment: src.segment}, out, (n) => n.Node.Node)
  if (replyDc === src.dc) {
    const want = src.node.toLowerCase()
    for (let i = 0; i < out.length && i < 10; i++) {
      if (out[i]!.Node.Node.toLowerCase() === want) {
        const tmp = out[0]!
        out[0] = out[i]!
        out[i] = tmp
        break
      }
    }
  }
  return out
}

function resolveOrThrow(s: StateStore, r: PreparedQueryExecuteRequest): PreparedQuery {
  let found: PreparedQuery | undefined
  try {
    found = s.preparedQueryResolve(r.QueryIDOrName, {Datacenter: r.Agent.Datacenter, Segment: r.Agent.Segment, Node: r.Agent.Node, Ip: ''}).value
  } catch (e) {
    if (e instanceof StateError) throw new EndpointError('internal', e.message)
    throw e
  }
  if (!found) throw new EndpointError('not-found', NOT_FOUND)
  return found
}

/** Reads that run once (Execute and Explain are not blocking queries in Consul): consistency as any read, Index 0. */
function once<T>(d: EndpointDeps, r: QueryOptions, fn: (s: StateStore) => T): Promise<Read<T>> {
  return query(d, {...r, MinQueryIndex: 0}, (s) => ({index: 0, value: fn(s)}))
}

export function preparedQueryEndpoints(d: EndpointDeps, failover: FailoverPort) {
  const randomInt = (n: number) => d.env.random.int(n)
  return {
    /** create → the new query's ID (minted here, before Raft); update/delete → the ID. */
    'PreparedQuery.Apply': async (r: PreparedQueryApplyRequest): Promise<string> => {
      checkDc(d, r.Datacenter)
      const q = r.Query
      if (!q || typeof q !== 'object') throw new EndpointError('bad-request', 'Missing query')
      const s = d.server.state()
      let id = q.ID
      if (r.Op === 'create') {
        if (id !== '') throw new EndpointError('internal', 'ID must be empty when creating a new prepared query')
        do id = d.env.random.uuid()
        while (s.preparedQueryGet(id).value)
      } else if (!s.preparedQueryGet(id).value) {
        throw new EndpointError('internal', `Cannot modify non-existent prepared query: '${id}'`)
      }
      if (r.Op === 'create' || r.Op === 'update') {
        try {
          validateQuery(q)
        } catch (e) {
          throw new EndpointError('internal', `Invalid prepared query: ${(e as Error).message}`)
        }
      } else if (r.Op !== 'delete') {
        throw new EndpointError('internal', `Unknown prepared query operation: ${r.Op}`)
      }
      const cmd = r.Op === 'delete'
        ? {type: 'prepared-query' as const, op: 'delete' as const, query: {ID: id}}
        : {type: 'prepared-query' as const, op: r.Op as 'create' | 'update', query: {...q, ID: id}}
      // The store's refusals (name taken, bad template, unknown session) come back through Raft, prefixed as Consul does.
      let res: unknown
      try {
        res = await d.server.apply(cmd)
      } catch (e) {
        const err = asEndpointError(e)
        if (err.code === 'no-leader') throw err
        throw new EndpointError('internal', `raft apply failed: ${err.message}`)
      }
      if (res instanceof Error) throw new EndpointError('internal', `raft apply failed: ${res.message}`)
      return id
    },
    'PreparedQuery.Get': (r: {QueryID: string} & QueryOptions, signal?: AbortSignal): Promise<Read<PreparedQuery[]>> =>
      query(d, r, (s, ws) => {
        const g = s.preparedQueryGet(r.QueryID, ws)
        if (!g.value) throw new EndpointError('not-found', NOT_FOUND)
        return {index: g.index, value: [g.value]}
      }, signal),
    'PreparedQuery.List': (r: QueryOptions, signal?: AbortSignal): Promise<Read<PreparedQuery[]>> =>
      query(d, r, (s, ws) => s.preparedQueryList(ws), signal),
    /** The query a name resolves to, templates rendered for that name. */
    'PreparedQuery.Explain': async (r: PreparedQueryExecuteRequest): Promise<Read<{Query: PreparedQuery}>> =>
      once(d, r, (s) => ({Query: resolveOrThrow(s, r)})),
    /** Run the query here; with no result, fail over to other datacenters as the query allows. */
    'PreparedQuery.Execute': async (r: PreparedQueryExecuteRequest): Promise<Read<ExecuteResult>> => {
      const limit = r.Limit ?? 0
      const local = await once(d, r, (s) => {
        const q = resolveOrThrow(s, r)
        checkSupported(q, r.Connect)
        const res = executeLocal(s, q, d.datacenter)
        res.Nodes = order(s, res.Nodes, sortSource(s, q, r), res.Datacenter, d.datacenter, randomInt)
        if (limit > 0) res.Nodes = res.Nodes.slice(0, limit)
        return {q, res}
      })
      const {q, res} = local.value
      if (res.Nodes.length > 0) return {value: res, meta: local.meta}
      const value = await queryFailover(failover, d.datacenter, q, {Limit: limit, Connect: r.Connect ?? false, AllowStale: r.AllowStale, RequireConsistent: r.RequireConsistent}, res,
        (dc, e) => d.env.log.warn('Failed querying for service in datacenter', {service: q.Service.Service, datacenter: dc, error: (e as Error).message}))
      return {value, meta: local.meta}
    },
    /** Run a query shipped from another datacenter's failover: no failover from here, no distance sort. */
    'PreparedQuery.ExecuteRemote': async (r: ExecuteRemoteRequest): Promise<Read<ExecuteResult>> => {
      checkDc(d, r.Datacenter)
      return once(d, r, (s) => {
        checkSupported(r.Query, r.Connect)
        const res = executeLocal(s, r.Query, d.datacenter)
        res.Nodes = shuffle([...res.Nodes], randomInt)
        if (r.Limit > 0) res.Nodes = res.Nodes.slice(0, r.Limit)
        return res
      })
    },
  }
}

