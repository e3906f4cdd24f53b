import type {AgentContext} from '../../context.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'

/** GET /v1/status/leader → "ip:port" of the Raft leader, "" when there is none. */
export function leader(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  return {json: ctx.raft.leaderAddress()}
}

/** GET /v1/status/peers → the voters' server addresses. */
export function peers(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  return {json: ctx.raft.peers()}
}

/** GET /v1/operator/raft/configuration */
export function raftConfiguration(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Reply {
  return {json: ctx.raft.configuration()}
}
