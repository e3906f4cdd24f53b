import type {AgentContext} from '../../context.js'
import {renderCheckServiceNode} from '../../services/api-shapes.js'
import {EndpointError} from '../../server/endpoints/errors.js'
import type {PreparedQueryExecuteRequest} from '../../server/endpoints/prepared-query.js'
import {HttpError} from '../errors.js'
import {blockingSignal, flag} from '../query-options.js'
import {rpcQuery} from '../rpc-query.js'
import type {HttpRequest, QueryMeta, Reply, RouteParams} from '../types.js'
import {decodeQueryBody} from './query-body.js'

const dcOf = (req: HttpRequest) => req.query.get('dc') || undefined

/** Consul's QueryMeta as it appears inside Execute and Explain bodies (LastContact in ns). */
function metaFields(meta: QueryMeta) {
  return {
    Index: meta.index, LastContact: Math.round(meta.lastContactMs * 1e6), KnownLeader: meta.knownLeader,
    ConsistencyLevel: meta.consistency ?? 'leader', NotModified: false, Backend: 0, ResultsFilteredByACLs: false,
  }
}

/** Consul answers a missing query on these paths with 404 and the RPC error's text. */
async function notFoundAs404<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof EndpointError && e.code === 'not-found') throw new HttpError(404, e.message)
    throw e
  }
}

/** POST /v1/query (create → {ID}) and GET /v1/query (list). */
export async function general(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (req.method === 'POST') {
    const q = decodeQueryBody(req.body)
    q.ID = ''
    const id = await ctx.rpc('PreparedQuery.Apply', {Datacenter: dcOf(req), Op: 'create', Query: q})
    return {json: {ID: id}}
  }
  const {value, meta} = await ctx.rpc('PreparedQuery.List', rpcQuery(ctx.queryOptions(req), req.query.get('dc')), blockingSignal(req))
  return {json: value, meta}
}

/** Go's net.ParseIP(...).String() of the client: X-Forwarded-For's first entry, else the socket's peer. */
function sourceIp(req: HttpRequest): string {
  const xff = req.headers['x-forwarded-for']?.split(',')[0]?.trim()
  const ip = xff || req.remoteAddr || ''
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}

/** Consul's ?limit: strconv.Atoi, with its error as a 500. */
function limitOf(req: HttpRequest): number {
  const v = req.query.get('limit')
  if (!v) return 0
  if (!/^[+-]?\d+$/.test(v)) throw new HttpError(500, `Bad limit: strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`)
  return Number(v)
}

function executeRequest(req: HttpRequest, ctx: AgentContext, idOrName: string): PreparedQueryExecuteRequest {
  const near = req.query.get('near') ?? ''
  return {
    ...rpcQuery(ctx.queryOptions(req), req.query.get('dc')),
    QueryIDOrName: idOrName,
    Limit: limitOf(req),
    Connect: flag(req, 'connect'),
    Source: {Datacenter: req.query.get('dc') || ctx.config.datacenter, Node: near === '_agent' ? ctx.config.nodeName : near, Ip: sourceIp(req), Segment: ''},
    Agent: {Node: ctx.config.nodeName, Datacenter: ctx.config.datacenter, Segment: '', Ip: ''},
  }
}

/**
 * /v1/query/<id>: GET one, PUT update, DELETE; /v1/query/<id-or-name>/execute and
 * /v1/query/<id-or-name>/explain: GET only.
 */
export async function specific(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  for (const action of ['execute', 'explain'] as const) {
    if (!p.rest.endsWith('/' + action) && p.rest !== action) continue
    if (req.method !== 'GET') throw new HttpError(405, `method ${req.method} not allowed`, {allow: 'GET'})
    const id = p.rest.slice(0, -(action.length + 1))
    const r = executeRequest(req, ctx, id)
    if (action === 'explain') {
      const {value, meta} = await notFoundAs404(() => ctx.rpc('PreparedQuery.Explain', r))
      return {json: {Query: value.Query, ...metaFields(meta)}, meta}
    }
    const {value, meta} = await notFoundAs404(() => ctx.rpc('PreparedQuery.Execute', r))
    const body = {
      Service: value.Service, Nodes: value.Nodes.map(renderCheckServiceNode), DNS: value.DNS, Datacenter: value.Datacenter,
      PeerName: '', Failovers: value.Failovers, ...metaFields(meta),
    }
    return {json: body, meta}
  }
  const id = p.rest
  switch (req.method) {
    case 'GET': {
      const {value, meta} = await notFoundAs404(() => ctx.rpc('PreparedQuery.Get', {QueryID: id, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}, blockingSignal(req)))
      return {json: value, meta}
    }
    case 'PUT': {
      const q = req.body.length > 0 ? decodeQueryBody(req.body) : decodeQueryBody(Buffer.from('{}'))
      q.ID = id
      await ctx.rpc('PreparedQuery.Apply', {Datacenter: dcOf(req), Op: 'update', Query: q})
      return {}
    }
    default: {
      const q = decodeQueryBody(Buffer.from('{}'))
      q.ID = id
      await ctx.rpc('PreparedQuery.Apply', {Datacenter: dcOf(req), Op: 'delete', Query: q})
      return {}
    }
  }
}
