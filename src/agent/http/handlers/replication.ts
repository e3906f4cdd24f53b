import type {AgentContext} from '../../context.js'
import {goDuration} from '../../raft/node.js'
import type {ReplicationStatus} from '../../server/replication/replicator.js'
import {rpcQuery} from '../rpc-query.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {blockingSignal} from '../query-options.js'

/** Go's zero time.Time, which Consul's replication status shows for "never" (as /v1/acl/replication does). */
const NEVER = '0001-01-01T00:00:00Z'
const time = (wallMs: number): string => (wallMs > 0 ? new Date(wallMs).toISOString() : NEVER)

/** The JSON body of GET /v1/replication/status (dc's own path; field names in Consul's style). */
export function renderReplicationStatus(s: ReplicationStatus) {
  return {
    Enabled: s.Enabled,
    Running: s.Running,
    SourceDatacenter: s.SourceDatacenter,
    Prefixes: s.Prefixes.map((p) => ({
      Prefix: p.Prefix,
      SourceDatacenter: p.SourceDatacenter,
      ReplicatedIndex: p.ReplicatedIndex,
      SourceIndex: p.SourceIndex,
      LocalIndex: p.LocalIndex,
      LagIndex: Math.max(0, p.SourceIndex - p.ReplicatedIndex),
      LastSuccess: time(p.LastSuccess),
      SinceLastSuccess: p.LastSuccess > 0 ? goDuration(Math.max(0, s.Now - p.LastSuccess)) : '',
      LastError: time(p.LastError),
      LastErrorMessage: p.LastErrorMessage,
      Applied: p.Applied,
    })),
  }
}

/** GET /v1/replication/status[?dc=][&stale]: KV prefix replication as this datacenter's leader runs it. */
export async function status(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const {value, meta} = await ctx.rpc('Replication.Status', rpcQuery(ctx.queryOptions(req), req.query.get('dc')), blockingSignal(req))
  return {json: renderReplicationStatus(value), meta}
}
