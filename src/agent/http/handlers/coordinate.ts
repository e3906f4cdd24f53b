import type {AgentContext} from '../../context.js'
import type {Coordinate} from '../../gossip/coordinate/coordinate.js'
import type {CoordinateEntry} from '../../../store/state/types.js'
import {badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {checkDatacenter, requiredName} from './catalog.js'
import {parseJsonBody} from './json-body.js'
import {rpcQuery} from '../rpc-query.js'
import {blockingSignal} from '../query-options.js'

/** api.CoordinateEntry as Consul renders it. */
function render(c: CoordinateEntry) {
  return {Node: c.Node, Segment: c.Segment, Coord: {Vec: [...c.Coord.Vec], Error: c.Coord.Error, Adjustment: c.Coord.Adjustment, Height: c.Coord.Height}}
}

/** Consul's filterCoordinates: `?segment` present (even empty) keeps only that segment. */
function bySegment(req: HttpRequest, rows: CoordinateEntry[]): CoordinateEntry[] {
  if (!req.query.has('segment')) return rows
  const segment = req.query.get('segment') ?? ''
  return rows.filter((c) => c.Segment === segment)
}

/**
 * GET /v1/coordinate/datacenters: each datacenter's servers with their WAN coordinates.
 * Only coordinates the WAN pool has measured are listed — none until it exists.
 */
export async function datacenters(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: await ctx.rpc('Coordinate.ListDatacenters', undefined)}
}

/** GET /v1/coordinate/nodes (?dc, ?segment, blocking): every LAN coordinate the catalog holds. */
export async function nodes(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const {value, meta} = await ctx.rpc('Coordinate.ListNodes', rpcQuery(ctx.queryOptions(req), req.query.get('dc')), blockingSignal(req))
  return {json: bySegment(req, value).map(render), meta}
}

/** GET /v1/coordinate/node/:node (?dc, ?segment, blocking): one node's coordinates; 404 when none. */
export async function node(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const name = requiredName(p, 'node name')
  const {value, meta} = await ctx.rpc('Coordinate.Node', {Node: name, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}, blockingSignal(req))
  const rows = bySegment(req, value)
  if (rows.length === 0) return {status: 404, meta}
  return {json: rows.map(render), meta}
}

/** PUT /v1/coordinate/update: body {Node, Segment, Coord}; queued for the next batch write. */
export async function update(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const body = parseJsonBody<unknown>(req.body)
  const entry = parseUpdate(body)
  checkDatacenter(req, ctx)
  await ctx.rpc('Coordinate.Update', entry)
  return {}
}

/** Go's JSON decoding matches field names case-insensitively; so does this. */
function field(o: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : o[key]
}

function parseUpdate(body: unknown): {Node: string; Segment: string; Coord: Coordinate} {
  const fail = (why: string) => badRequest(`Request decode failed: ${why}`)
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw fail('body must be a JSON object')
  const o = body as Record<string, unknown>
  const node = field(o, 'Node') ?? ''
  const segment = field(o, 'Segment') ?? ''
  if (typeof node !== 'string') throw fail('Node must be a string')
  if (typeof segment !== 'string') throw fail('Segment must be a string')
  const c = field(o, 'Coord')
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw fail('Coord must be an object')
  const co = c as Record<string, unknown>
  const vec = field(co, 'Vec') ?? []
  if (!Array.isArray(vec) || !vec.every((x) => typeof x === 'number')) throw fail('Coord.Vec must be a list of numbers')
  const num = (name: string): number => {
    const v = field(co, name) ?? 0
    if (typeof v !== 'number') throw fail(`Coord.${name} must be a number`)
    return v
  }
  return {Node: node, Segment: segment, Coord: {Vec: vec as number[], Error: num('Error'), Adjustment: num('Adjustment'), Height: num('Height')}}
}
