import type {AgentContext} from '../../context.js'
import {DurationError, durationMs, formatDuration} from '../../config/duration.js'
import type {Session} from '../../../store/state/types.js'
import {HttpError, badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {rpcQuery} from '../rpc-query.js'
import {parseJsonBody} from './json-body.js'
import {blockingSignal} from '../query-options.js'

const DEFAULT_LOCK_DELAY_NS = 15e9
const MAX_TTL_MS = 86_400_000

/** Consul reads LockDelay as a duration string, or a number: < 1000 means seconds, else nanoseconds. */
function lockDelayNs(v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_LOCK_DELAY_NS
  if (typeof v === 'number') return v < 1000 ? v * 1e9 : v
  if (typeof v === 'string') {
    try {
      return durationMs(v) * 1e6
    } catch (e) {
      if (e instanceof DurationError) throw badRequest(`Request decode failed: invalid LockDelay "${v}"`)
      throw e
    }
  }
  throw badRequest('Request decode failed: LockDelay must be a duration')
}

function pick(body: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (body[n] !== undefined) return body[n]
  return undefined
}

export async function create(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const body = req.body.length ? parseJsonBody<Record<string, unknown>>(req.body) : {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Request decode failed: body must be a JSON object')
  const ttlRaw = pick(body, 'TTL', 'ttl')
  let ttl = ''
  if (ttlRaw !== undefined && ttlRaw !== '') {
    if (typeof ttlRaw !== 'string') throw badRequest('Request decode failed: TTL must be a duration string such as "30s"')
    let ms: number
    try {
      ms = durationMs(ttlRaw)
    } catch {
      throw badRequest(`Request decode failed: invalid TTL "${ttlRaw}"`)
    }
    if (ms !== 0 && (ms < ctx.config.sessionTtlMinMs || ms > MAX_TTL_MS)) {
      throw badRequest(`Invalid Session TTL '${ttlRaw}', must be between [${formatDuration(ctx.config.sessionTtlMinMs)}=${formatDuration(MAX_TTL_MS)}]`)
    }
    ttl = ms === 0 ? '' : ttlRaw
  }
  const behavior = (pick(body, 'Behavior', 'behavior') as string | undefined) || 'release'
  if (behavior !== 'release' && behavior !== 'delete') throw badRequest(`Invalid Behavior setting '${behavior}'`)
  const strList = (v: unknown, field: string): string[] => {
    if (v === undefined || v === null) return []
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`Request decode failed: ${field} must be a list of check IDs`)
    return v as string[]
  }
  // Checks is the legacy spelling of NodeChecks; default is the node's serfHealth check.
  const legacy = pick(body, 'Checks', 'checks')
  const nodeChecksRaw = pick(body, 'NodeChecks', 'node_checks')
  const nodeChecks = nodeChecksRaw !== undefined ? strList(nodeChecksRaw, 'NodeChecks') : legacy !== undefined ? strList(legacy, 'Checks') : ['serfHealth']
  const svcRaw = pick(body, 'ServiceChecks', 'service_checks')
  const serviceChecks = svcRaw === undefined || svcRaw === null ? [] : (svcRaw as {ID: string}[])
  if (!Array.isArray(serviceChecks) || serviceChecks.some((c) => typeof c?.ID !== 'string')) throw badRequest('Request decode failed: ServiceChecks must be a list of {"ID": ...}')
  const session: Omit<Session, 'ID' | 'CreateIndex' | 'ModifyIndex'> = {
    Name: String(pick(body, 'Name', 'name') ?? ''),
    Node: String(pick(body, 'Node', 'node') ?? ctx.config.nodeName),
    LockDelay: lockDelayNs(pick(body, 'LockDelay', 'lock_delay')),
    Behavior: behavior,
    TTL: ttl,
    NodeChecks: nodeChecks,
    ServiceChecks: serviceChecks.map((c) => ({ID: c.ID})),
  }
  const id = await ctx.rpc('Session.Apply', {Datacenter: req.query.get('dc') || undefined, Op: 'create', Session: session})
  return {json: {ID: id}}
}

export async function destroy(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw badRequest('Missing session')
  await ctx.rpc('Session.Apply', {Datacenter: req.query.get('dc') || undefined, Op: 'destroy', Session: {ID: p.rest}})
  return {json: true}
}

export async function renew(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw badRequest('Missing session')
  const {value} = await ctx.rpc('Session.Renew', {SessionID: p.rest, Datacenter: req.query.get('dc') || undefined})
  return {json: value}
}

export async function info(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw badRequest('Missing session')
  const {value, meta} = await ctx.rpc('Session.Get', {SessionID: p.rest, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}, blockingSignal(req))
  return {json: value, meta}
}

export async function node(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (!p.rest) throw badRequest('Missing node name')
  const {value, meta} = await ctx.rpc('Session.NodeSessions', {Node: p.rest, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}, blockingSignal(req))
  return {json: value, meta}
}

export async function list(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const {value, meta} = await ctx.rpc('Session.List', rpcQuery(ctx.queryOptions(req), req.query.get('dc')), blockingSignal(req))
  return {json: value, meta}
}
