import type {AgentContext} from '../../context.js'
import {renderCheckServiceNode, renderHealthCheck} from '../../services/api-shapes.js'
import type {CheckServiceNode} from '../../../store/state/types.js'
import {badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {applyFilter, checkDatacenter, nodeMetaFilters, nodeMetaMatches, requiredName} from './catalog.js'

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
 * GET /v1/health/service/:service — the discovery endpoint: instances with their node
 * and checks (?passing, ?tag repeatable, ?node-meta, ?filter, ?near accepted). One
 * shared watch per service name wakes every parked query on a status change.
 */
export async function service(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'service name')
  checkDatacenter(req, ctx)
  const opts = ctx.queryOptions(req)
  const passing = passingOnly(req)
  const tags = req.query.getAll('tag')
  const metaFilter = nodeMetaFilters(req)
  const {value, meta} = await ctx.read(req, (s, ws) => s.checkServiceNodes(name, tags.length ? tags : undefined, ws), opts)
  const kept = value.filter((e) => (!passing || allPassing(e)) && nodeMetaMatches(e.Node.Meta, metaFilter))
  return {json: applyFilter(kept.map(renderCheckServiceNode), opts.filter), meta}
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
