import type {AgentContext} from '../../context.js'
import {renderCheckServiceNode, renderHealthCheck} from '../../services/api-shapes.js'
import type {StateStore} from '../../../store/state/store.js'
import type {CheckServiceNode} from '../../../store/state/types.js'
import {WatchSet} from '../../../store/state/watch.js'
import {badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {applyFilter, checkDatacenter, nearSorted, nearSource, nodeMetaFilters, nodeMetaMatches, requiredName} from './catalog.js'

const STATES = new Set(['any', 'passing', 'warning', 'critical'])

/** GET /v1/health/node/:node: every check on the node. */
export async function node(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'node name')
  checkDatacenter(req, ctx)
  const opts = ctx.queryOptions(req)
  const {value, meta} = await ctx.read(req, (s, ws) => s.nodeChecks(name, ws), opts)
  return {json: applyFilter(value.map(renderHealthCheck), opts.filter), meta}
}

/** GET /v1/health/checks/:service: the checks of every instance of a service (?node-meta, ?filter). */
export async function checks(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  checkDatacenter(req, ctx)
  const opts = ctx.queryOptions(req)
  const metaFilter = nodeMetaFilters(req)
  const {value, meta} = await ctx.read(
    req,
    (s, ws) => {
      const r = s.serviceChecks(name, ws)
      if (!metaFilter) return r
      return {index: r.index, value: r.value.filter((c) => nodeMetaMatches(s.node(c.Node).value?.Meta ?? {}, metaFilter))}
    },
    opts,
  )
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
 * One discovery result shared by every request for the same service and tags while
 * the catalog is unchanged: when a status flip wakes a thousand parked queries, the
 * instances are read once and each distinct response body is rendered once (as a
 * Buffer every socket writes without copying).
 */
interface Discovery {
  /** Max index of the nodes, services and checks tables when this was read. */
  version: number
  /** Watch keys of the read, re-added to each waiter's watch set. */
  keys: string[]
  index: number
  entries: CheckServiceNode[]
  bodies: Map<string, Buffer>
}

const MAX_QUERIES_PER_STORE = 256
const MAX_BODIES_PER_QUERY = 16
const discoveries = new WeakMap<StateStore, Map<string, Discovery>>()

function discover(s: StateStore, name: string, tags: string[], ws: WatchSet | undefined): {index: number; value: Discovery} {
  let byKey = discoveries.get(s)
  if (!byKey) discoveries.set(s, (byKey = new Map()))
  const key = `${name.toLowerCase()}\u0000${tags.join('\u0000')}`
  const version = s.maxIndex('nodes', 'services', 'checks')
  let d = byKey.get(key)
  if (!d || d.version !== version) {
    const own = new WatchSet()
    const r = s.checkServiceNodes(name, tags.length ? tags : undefined, own)
    d = {version, keys: [...own.keys], index: r.index, entries: r.value, bodies: new Map()}
    byKey.delete(key)
    byKey.set(key, d)
    if (byKey.size > MAX_QUERIES_PER_STORE) byKey.delete(byKey.keys().next().value!)
  }
  if (ws) for (const k of d.keys) ws.add(k)
  return {index: d.index, value: d}
}

/**
 * GET /v1/health/service/:service — the discovery endpoint: instances with their node
 * and checks (?passing, ?tag repeatable, ?node-meta, ?filter, ?near sorts by RTT). One
 * shared watch per service name wakes every parked query on a status change.
 */
export async function service(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  checkDatacenter(req, ctx)
  const opts = ctx.queryOptions(req)
  const passing = passingOnly(req)
  const tags = req.query.getAll('tag')
  const metaFilter = nodeMetaFilters(req)
  const pretty = req.query.has('pretty')
  const near = nearSource(req, ctx)
  // ?near orders by coordinates, which the shared result's version does not track:
  // sort this request's copy inside the read and keep it out of the body cache.
  const {value: d, meta} = await ctx.read(
    req,
    (s, ws) => {
      const r = discover(s, name, tags, ws)
      if (!near) return r
      return {index: r.index, value: {...r.value, entries: nearSorted(s, near, r.value.entries, (e) => e.Node.Node)}}
    },
    opts,
  )
  const bodyKey = JSON.stringify([passing, metaFilter ?? null, opts.filter ?? '', pretty])
  let body = near ? undefined : d.bodies.get(bodyKey)
  if (!body) {
    const kept = d.entries.filter((e) => (!passing || allPassing(e)) && nodeMetaMatches(e.Node.Meta, metaFilter))
    const json = applyFilter(kept.map(renderCheckServiceNode), opts.filter)
    body = Buffer.from(JSON.stringify(json, null, pretty ? 4 : undefined))
    if (!near && d.bodies.size < MAX_BODIES_PER_QUERY) d.bodies.set(bodyKey, body)
  }
  return {raw: body, contentType: 'application/json', meta}
}

/** GET /v1/health/state/:state — any | passing | warning | critical (?node-meta, ?filter). */
export async function state(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const st = requiredName(p, 'check state')
  if (!STATES.has(st)) throw badRequest('Invalid check state')
  checkDatacenter(req, ctx)
  const opts = ctx.queryOptions(req)
  const metaFilter = nodeMetaFilters(req)
  const {value, meta} = await ctx.read(
    req,
    (s, ws) => {
      const r = s.checksInState(st as 'any' | 'passing' | 'warning' | 'critical', ws)
      if (!metaFilter) return r
      return {index: r.index, value: r.value.filter((c) => nodeMetaMatches(s.node(c.Node).value?.Meta ?? {}, metaFilter))}
    },
    opts,
  )
  return {json: applyFilter(value.map(renderHealthCheck), opts.filter), meta}
}
