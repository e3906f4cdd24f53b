import type {AgentContext} from '../../context.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'

/** GET /v1/status/leader → "ip:port" of the Raft leader, "" when there is none. */
export async function leader(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: await ctx.rpc('Status.Leader', undefined)}
}

/** GET /v1/status/peers → the voters' server addresses. */
export async function peers(_req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  return {json: await ctx.rpc('Status.Peers', undefined)}
}
