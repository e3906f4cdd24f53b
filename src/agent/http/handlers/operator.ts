import type {AgentContext} from '../../context.js'
import {DurationError, parseDuration} from '../../config/duration.js'
import {goDuration} from '../../raft/node.js'
import type {AutopilotConfig} from '../../../store/state/types.js'
import {DEFAULT_AUTOPILOT_CONFIG} from '../../server/autopilot/config.js'
import type {AutopilotState} from '../../server/autopilot/types.js'
import {badRequest} from '../errors.js'
import {rpcQuery} from '../rpc-query.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {blockingSignal} from '../query-options.js'

/** Go's time.Duration.String() of milliseconds (negative too: -1 = never heard from). */
const duration = (ms: number): string => (ms < 0 ? `-${goDuration(-ms)}` : goDuration(ms))

/** Go's RFC 3339 rendering of a UTC time (fraction without trailing zeros). */
function rfc3339(wallMs: number, roundToSecond = false): string {
  const ms = roundToSecond ? Math.round(wallMs / 1000) * 1000 : wallMs
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, f: string) => (f ? `.${f}Z` : 'Z'))
}

const dc = (req: HttpRequest) => req.query.get('dc') || undefined

/** GET /v1/operator/raft/configuration[?stale] */
export async function raftConfiguration(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: await ctx.rpc('Operator.RaftGetConfiguration', rpcQuery(ctx.queryOptions(req), req.query.get('dc')))}
}

/** DELETE /v1/operator/raft/peer?id= | ?address= */
export async function raftPeer(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const hasId = req.query.has('id')
  const hasAddress = req.query.has('address')
  if (!hasId && !hasAddress) throw badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove")
  if (hasId && hasAddress) throw badRequest('Must specify only one of ?id or ?address')
  if (hasId) await ctx.rpc('Operator.RaftRemovePeerByID', {Datacenter: dc(req), ID: req.query.get('id') ?? ''})
  else await ctx.rpc('Operator.RaftRemovePeerByAddress', {Datacenter: dc(req), Address: req.query.get('address') ?? ''})
  return {}
}

/** POST /v1/operator/raft/transfer-leader[?id=] → {"Success": true} */
export async function raftTransferLeader(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: await ctx.rpc('Operator.RaftTransferLeader', {Datacenter: dc(req), ID: req.query.get('id') ?? ''})}
}

/** Consul's api.AutopilotConfiguration JSON. */
export function renderAutopilotConfig(c: AutopilotConfig) {
  return {
    CleanupDeadServers: c.CleanupDeadServers,
    LastContactThreshold: duration(c.LastContactThresholdMs),
    MaxTrailingLogs: c.MaxTrailingLogs,
    MinQuorum: c.MinQuorum,
    ServerStabilizationTime: duration(c.ServerStabilizationTimeMs),
    RedundancyZoneTag: c.RedundancyZoneTag,
    DisableUpgradeMigration: c.DisableUpgradeMigration,
    UpgradeVersionTag: c.UpgradeVersionTag,
    CreateIndex: c.CreateIndex,
    ModifyIndex: c.ModifyIndex,
  }
}

/** GET (read) and PUT (write, ?cas= → true/false) /v1/operator/autopilot/configuration */
export async function autopilotConfiguration(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (req.method === 'GET') {
    const {value} = await ctx.rpc('Operator.AutopilotGetConfiguration', rpcQuery(ctx.queryOptions(req), req.query.get('dc')), blockingSignal(req))
    return {json: renderAutopilotConfig(value)}
  }
  const config = parseAutopilotBody(req.body)
  let cas: number | undefined
  if (req.query.has('cas')) {
    const raw = req.query.get('cas') ?? ''
    if (!/^\d+$/.test(raw)) throw badRequest(`Error parsing cas value: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`)
    cas = Number(raw)
  }
  const ok = await ctx.rpc('Operator.AutopilotSetConfiguration', {Datacenter: dc(req), Config: {...config, ModifyIndex: cas ?? 0}, CAS: cas !== undefined})
  return {json: cas === undefined ? true : ok}
}

/**
 * The PUT body over Consul's defaults (fields left out keep them), keys matched
 * case-insensitively as Go's JSON decoder does; durations as Go strings or nanoseconds.
 */
function parseAutopilotBody(body: Buffer) {
  let raw: unknown
  try {
    raw = body.length ? JSON.parse(body.toString('utf8')) : {}
  } catch (e) {
    throw badRequest(`Error parsing autopilot config: ${(e as Error).message}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('Error parsing autopilot config: body must be a JSON object')
  const fields = new Map(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]))
  const out = {...DEFAULT_AUTOPILOT_CONFIG}
  const bad = (name: string, want: string) => badRequest(`Error parsing autopilot config: ${name} must be ${want}`)
  const bool = (name: keyof typeof out) => {
    const v = fields.get(name.toLowerCase())
    if (v === undefined || v === null) return
    if (typeof v !== 'boolean') throw bad(name, 'true or false')
    ;(out as Record<string, unknown>)[name] = v
  }
  const uint = (name: keyof typeof out) => {
    const v = fields.get(name.toLowerCase())
    if (v === undefined || v === null) return
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(name, 'a non-negative integer')
    ;(out as Record<string, unknown>)[name] = v
  }
  const str = (name: keyof typeof out) => {
    const v = fields.get(name.toLowerCase())
    if (v === undefined || v === null) return
    if (typeof v !== 'string') throw bad(name, 'a string')
    ;(out as Record<string, unknown>)[name] = v
  }
  const dur = (name: string, key: 'LastContactThresholdMs' | 'ServerStabilizationTimeMs') => {
    const v = fields.get(name.toLowerCase())
    if (v === undefined || v === null) return
    let ms: number
    if (typeof v === 'number' && Number.isFinite(v)) ms = v / 1e6
    else if (typeof v === 'string') {
      try {
        ms = parseDuration(v)
      } catch (e) {
        if (e instanceof DurationError) throw badRequest(`Error parsing autopilot config: time: invalid duration ${JSON.stringify(v)}`)
        throw e
      }
    } else throw bad(name, 'a duration')
    out[key] = ms
  }
  bool('CleanupDeadServers')
  dur('LastContactThreshold', 'LastContactThresholdMs')
  uint('MaxTrailingLogs')
  uint('MinQuorum')
  dur('ServerStabilizationTime', 'ServerStabilizationTimeMs')
  str('RedundancyZoneTag')
  bool('DisableUpgradeMigration')
  str('UpgradeVersionTag')
  return out
}

/** GET /v1/operator/autopilot/health: 429 with the same body when any server is unhealthy (Consul). */
export async function autopilotHealth(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const h = await ctx.rpc('Operator.ServerHealth', rpcQuery(ctx.queryOptions(req), req.query.get('dc')))
  return {
    status: h.Healthy ? 200 : 429,
    json: {
      Healthy: h.Healthy,
      FailureTolerance: h.FailureTolerance,
      // Go renders an empty slice as null.
      Servers: h.Servers.length === 0 ? null : h.Servers.map((s) => ({
        ID: s.ID,
        Name: s.Name,
        Address: s.Address,
        SerfStatus: s.SerfStatus,
        Version: s.Version,
        Leader: s.Leader,
        LastContact: duration(s.LastContactMs),
        LastTerm: s.LastTerm,
        LastIndex: s.LastIndex,
        Healthy: s.Healthy,
        Voter: s.Voter,
        StableSince: rfc3339(s.StableSinceWallMs, true),
      })),
    },
  }
}

/** Consul's api.AutopilotState JSON (CE: no zones, upgrade or read replicas). */
export function renderAutopilotState(s: AutopilotState) {
  return {
    Healthy: s.healthy,
    FailureTolerance: s.failureTolerance,
    // CE has no redundancy zones, so the optimistic tolerance is the plain one's zero value.
    OptimisticFailureTolerance: 0,
    Servers: Object.fromEntries(s.servers.map((v) => [v.id, {
      ID: v.id,
      Name: v.name,
      Address: v.address,
      NodeStatus: v.nodeStatus,
      Version: v.version,
      LastContact: duration(v.stats.lastContactMs),
      LastTerm: v.stats.lastTerm,
      LastIndex: v.stats.lastIndex,
      Healthy: v.healthy,
      StableSince: rfc3339(v.stableSinceWallMs),
      ReadReplica: false,
      Status: v.role,
      Meta: null,
      NodeType: 'voter',
    }])),
    Leader: s.leader,
    Voters: s.voters,
  }
}

/** GET /v1/operator/autopilot/state */
export async function autopilotState(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: renderAutopilotState(await ctx.rpc('Operator.AutopilotState', rpcQuery(ctx.queryOptions(req), req.query.get('dc'))))}
}

