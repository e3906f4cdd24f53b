import type {AgentContext} from '../../context.js'
import {FilterError, compileFilter} from '../../filter/index.js'
import {LocalError} from '../../local/index.js'
import {renderNode, renderNodeService, renderServiceNode} from '../../services/api-shapes.js'
import {parseDeregisterRequest, parseRegisterRequest} from '../../services/catalog-request.js'
import {DefinitionError} from '../../services/index.js'
import type {NearSource} from '../../server/near.js'
import {StateError} from '../../../store/state/errors.js'
import {HttpError, badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {parseJsonBody} from './json-body.js'
import {rpcQuery} from '../rpc-query.js'
import {cachedRpc} from '../cached-read.js'
import {translateHeader, translateNode, translateService, translating} from '../translate.js'
import {blockingSignal} from '../query-options.js'

// ---- helpers shared with health.ts and agent-services.ts ---------------------------------

/** Maps the registry's error types to HTTP (bad input 400, unknown 404, store errors 500). */
export function toHttpError(e: unknown): unknown {
  if (e instanceof DefinitionError || e instanceof FilterError) return badRequest(e.message)
  if (e instanceof LocalError) return new HttpError(e.status, e.message)
  if (e instanceof StateError) return new HttpError(500, e.message)
  return e
}

/** Runs fn, turning registry errors into HttpErrors. */
export async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    throw toHttpError(e)
  }
}

/** Applies ?filter (compiled once) to rendered items; a bad expression is a 400 naming the position. */
export function applyFilter<T>(items: T[], source: string | undefined, view: (item: T) => unknown = (x) => x): T[] {
  if (!source) return items
  try {
    const f = compileFilter(source)
    return items.filter((item) => f.matches(view(item)))
  } catch (e) {
    throw toHttpError(e)
  }
}

/** ?node-meta=key:value, repeatable (Consul's parseMetaFilter: split at the first colon). */
export function nodeMetaFilters(req: HttpRequest): Record<string, string> | undefined {
  const all = req.query.getAll('node-meta')
  if (all.length === 0) return undefined
  const out: Record<string, string> = {}
  for (const pair of all) {
    const i = pair.indexOf(':')
    if (i < 0) out[pair] = ''
    else out[pair.slice(0, i)] = pair.slice(i + 1)
  }
  return out
}

export function nodeMetaMatches(meta: Record<string, string>, filters: Record<string, string> | undefined): boolean {
  if (!filters) return true
  for (const [k, v] of Object.entries(filters)) if (meta[k] !== v) return false
  return true
}

/**
 * For the few calls that only run in this datacenter (coordinate updates, user events):
 * another ?dc fails as Consul's unroutable ones do. Everything else sends ?dc on in its
 * RPC request and the server forwards it there.
 */
export function checkDatacenter(req: HttpRequest, ctx: AgentContext, bodyDc?: string): void {
  const dc = req.query.get('dc') || bodyDc
  if (dc && dc !== ctx.config.datacenter) throw new HttpError(500, 'No path to datacenter')
}

/** ?near=<node> (or _agent: this agent's node), in the default segment, as Consul's parseSource. */
export function nearSource(req: HttpRequest, ctx: AgentContext): NearSource | undefined {
  const near = req.query.get('near')
  if (!near) return undefined
  return {node: near === '_agent' ? ctx.config.nodeName : near, segment: ''}
}

/** The path remainder as a required name. */
export function requiredName(p: RouteParams, what: string): string {
  if (!p.rest) throw badRequest(`Missing ${what}`)
  return p.rest
}

// ---- writes ---------------------------------------------------------------------------------

/** PUT /v1/catalog/register: low-level registration of nodes, services and checks. */
export async function register(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const raw = parseJsonBody<unknown>(req.body)
  const r = await guarded(() => parseRegisterRequest(raw))
  r.Datacenter = r.Datacenter || req.query.get('dc') || ctx.config.datacenter
  return {json: await ctx.rpc('Catalog.Register', r)}
}

/** PUT /v1/catalog/deregister: a node, or one of its services or checks. */
export async function deregister(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const raw = parseJsonBody<unknown>(req.body)
  const r = await guarded(() => parseDeregisterRequest(raw))
  return {json: await ctx.rpc('Catalog.Deregister', {...r, Datacenter: req.query.get('dc') || undefined})}
}

// ---- reads ----------------------------------------------------------------------------------

/** GET /v1/catalog/datacenters: this datacenter only, until the WAN pool exists. */
export async function datacenters(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  // Consul reads only the consistency flags and Cache-Control here (?cached: simple caching).
  if (!req.query.has('cached')) return {json: await ctx.rpc('Catalog.ListDatacenters', undefined)}
  const {reply, headers} = await cachedRpc(ctx, ctx.queryOptions(req), 'Catalog.ListDatacenters', undefined, blockingSignal(req))
  return {json: reply, headers}
}

/** GET /v1/catalog/nodes (?node-meta, ?filter, ?near sorts by estimated RTT). */
export async function nodes(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const opts = ctx.queryOptions(req)
  const meta = nodeMetaFilters(req)
  const near = nearSource(req, ctx)
  const {value, meta: qm} = await ctx.rpc('Catalog.ListNodes', {Near: near, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  const wan = translating(ctx, req.query.get('dc'))
  const rendered = value.filter((n) => nodeMetaMatches(n.Meta, meta)).map((n) => renderNode(wan ? translateNode(n) : n))
  return {json: applyFilter(rendered, opts.filter), meta: qm, headers: translateHeader(ctx)}
}

/** GET /v1/catalog/services: name → tags (?node-meta; ?filter runs on the instances). */
export async function services(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const opts = ctx.queryOptions(req)
  const meta = nodeMetaFilters(req)
  if (!meta && !opts.filter) {
    const {reply: {value, meta: qm}, headers} = await cachedRpc(ctx, opts, 'Catalog.ListServices', rpcQuery(opts, req.query.get('dc')), blockingSignal(req))
    return {json: value, meta: qm, headers}
  }
  // Filtering needs the instances: read every service's rows at the services index.
  const {reply: {value, meta: qm}, headers} = await cachedRpc(ctx, opts, 'Catalog.ServiceInstances', rpcQuery(opts, req.query.get('dc')), blockingSignal(req))
  const kept = applyFilter(
    value.filter((r) => nodeMetaMatches(r.Node.Meta, meta)),
    opts.filter,
    renderServiceNode,
  )
  const out = new Map<string, Set<string>>()
  for (const r of kept) {
    const tags = out.get(r.Service.Service) ?? new Set<string>()
    for (const t of r.Service.Tags) tags.add(t)
    out.set(r.Service.Service, tags)
  }
  const json: Record<string, string[]> = {}
  for (const name of [...out.keys()].sort()) json[name] = [...out.get(name)!].sort()
  return {json, meta: qm, headers}
}

/** GET /v1/catalog/service/:name (?tag repeatable, ?node-meta, ?filter, ?near sorts by estimated RTT). */
export async function service(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  const opts = ctx.queryOptions(req)
  const tags = req.query.getAll('tag')
  const meta = nodeMetaFilters(req)
  const near = nearSource(req, ctx)
  const {reply: {value, meta: qm}, headers} = await cachedRpc(ctx, opts, 'Catalog.ServiceNodes', {ServiceName: name, ServiceTags: tags, Near: near, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  const wan = translating(ctx, req.query.get('dc'))
  const rendered = value
    .filter((r) => nodeMetaMatches(r.Node.Meta, meta))
    .map((r) => renderServiceNode(wan ? {...r, Node: translateNode(r.Node), Service: translateService(r.Service)} : r))
  return {json: applyFilter(rendered, opts.filter), meta: qm, headers: {...headers, ...translateHeader(ctx)}}
}

/** GET /v1/catalog/node/:node: the node and a map of its services (null when unknown). */
export async function node(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'node name')
  const opts = ctx.queryOptions(req)
  const {value, meta: qm} = await ctx.rpc('Catalog.NodeServices', {Node: name, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  if (!value) return {json: null, meta: qm}
  const wan = translating(ctx, req.query.get('dc'))
  const svcs = applyFilter(value.Services.map((s) => renderNodeService(wan ? translateService(s) : s)), opts.filter)
  const n = wan ? translateNode(value.Node) : value.Node
  return {json: {Node: renderNode(n), Services: Object.fromEntries(svcs.map((s) => [s.ID, s]))}, meta: qm, headers: translateHeader(ctx)}
}

/** GET /v1/catalog/node-services/:node: the node and a list of its services. */
export async function nodeServices(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'node name')
  const opts = ctx.queryOptions(req)
  const {value, meta: qm} = await ctx.rpc('Catalog.NodeServices', {Node: name, ...rpcQuery(opts, req.query.get('dc'))}, blockingSignal(req))
  if (!value) return {json: {Node: null, Services: []}, meta: qm}
  const wan = translating(ctx, req.query.get('dc'))
  const n = wan ? translateNode(value.Node) : value.Node
  const svcs = value.Services.map((s) => renderNodeService(wan ? translateService(s) : s))
  return {json: {Node: renderNode(n), Services: applyFilter(svcs, opts.filter)}, meta: qm, headers: translateHeader(ctx)}
}
