import type {AgentContext} from '../../context.js'
import {renderCheckServiceNode, renderHealthCheck} from '../../services/api-shapes.js'
import type {CheckServiceNode} from '../../../store/state/types.js'
import {badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {applyFilter, nearSource, nodeMetaFilters, nodeMetaMatches, requiredName} from './catalog.js'
import {rpcQuery} from '../rpc-query.js'
import {cachedRpc} from '../cached-read.js'
import {translateEntry, translateHeader, translating} from '../translate.js'
import {blockingSignal} from '../query-options.js'

const STATES = new Set(['any', 'passing', 'warning', 'critical'])

/** GET /v1/health/node/:node: every check on the node. */
export async function node(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'node name')
  const opts = ctx.queryOptions(req)
  const {value, meta} = await ctx.rpc('Health.NodeChecks', {Node: name, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  return {json: applyFilter(value.map(renderHealthCheck), opts.filter), meta}
}

/** GET /v1/health/checks/:service: the checks of every instance of a service (?node-meta, ?filter). */
export async function checks(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  const opts = ctx.queryOptions(req)
  const metaFilter = nodeMetaFilters(req)
  const {value, meta} = await ctx.rpc('Health.ServiceChecks', {ServiceName: name, NodeMetaFilters: metaFilter, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  return {json: applyFilter(value.map(renderHealthCheck), opts.filter), meta}
}

/** ?passing, ?passing=true|false (Consul parses the value as a boolean when given). */
function passingOnly(req: HttpRequest): boolean {
  if (!req.query.has('passing')) return false
  const v = req.query.get('passing') ?? ''
  if (v === '') return true
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false
  throw badRequest(`Invalid value for ?passing: ${JSON.stringify(v)}`)
}

/** Drops instances with any check (node or service) that is not passing. */
function allPassing(e: CheckServiceNode): boolean {
  return e.Checks.every((c) => c.Status === 'passing')
}

/**
 * Rendered bodies per discovery result: the endpoint shares one entries array among all
 * readers while the catalog is unchanged, so when a status flip wakes a thousand parked
 * queries each distinct body is rendered once (a Buffer every socket writes as-is).
 */
const MAX_BODIES_PER_QUERY = 16
const bodies = new WeakMap<CheckServiceNode[], Map<string, Buffer>>()

/**
 * GET /v1/health/service/:service — the discovery endpoint: instances with their node
 * and checks (?passing, ?tag repeatable, ?node-meta, ?filter, ?near sorts by RTT). One
 * shared watch per service name wakes every parked query on a status change.
 */
export async function service(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  const opts = ctx.queryOptions(req)
  const passing = passingOnly(req)
  const tags = req.query.getAll('tag')
  const metaFilter = nodeMetaFilters(req)
  const pretty = req.query.has('pretty')
  const near = nearSource(req, ctx)
  // ?near orders by coordinates, which the shared result's version does not track:
  // sort this request's copy inside the read and keep it out of the body cache.
  const {reply: {value: entries, meta}, headers} = await cachedRpc(ctx, opts, 'Health.ServiceNodes', {ServiceName: name, ServiceTags: tags, Near: near, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  const wan = translating(ctx, req.query.get('dc'))
  const bodyKey = JSON.stringify([passing, metaFilter ?? null, opts.filter ?? '', pretty, wan])
  let cache = near ? undefined : bodies.get(entries)
  if (!near && !cache) bodies.set(entries, (cache = new Map()))
  let body = cache?.get(bodyKey)
  if (!body) {
    const kept = entries.filter((e) => (!passing || allPassing(e)) && nodeMetaMatches(e.Node.Meta, metaFilter))
    const json = applyFilter(kept.map((e) => renderCheckServiceNode(wan ? translateEntry(e) : e)), opts.filter)
    body = Buffer.from(JSON.stringify(json, null, pretty ? 4 : undefined))
    if (cache && cache.size < MAX_BODIES_PER_QUERY) cache.set(bodyKey, body)
  }
  return {raw: body, contentType: 'application/json', meta, headers: {...headers, ...translateHeader(ctx)}}
}

/** GET /v1/health/state/:state — any | passing | warning | critical (?node-meta, ?filter). */
export async function state(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const st = requiredName(p, 'check state')
  if (!STATES.has(st)) throw badRequest('Invalid check state')
  const opts = ctx.queryOptions(req)
  const metaFilter = nodeMetaFilters(req)
  const {value, meta} = await ctx.rpc('Health.ChecksInState', {State: st as 'any' | 'passing' | 'warning' | 'critical', NodeMetaFilters: metaFilter, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  return {json: applyFilter(value.map(renderHealthCheck), opts.filter), meta}
}
