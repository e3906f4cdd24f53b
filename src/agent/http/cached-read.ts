import type {AgentContext} from '../context.js'
import type {CachedMethod} from '../cache/rpc-cache.js'
import type {RpcReply, RpcRequest} from '../server/endpoints/index.js'
import type {QueryOptions} from './query-options.js'

/**
 * A read that honours ?cached: from the agent cache with X-Cache (and Age on a hit),
 * else straight through `rpc`. Consul reports the consistency the caller asked for,
 * whatever mode the cache's own fetch used.
 */
export async function cachedRpc<M extends CachedMethod>(
  ctx: AgentContext,
  opts: QueryOptions,
  method: M,
  req: RpcRequest<M>,
  signal?: AbortSignal,
): Promise<{reply: RpcReply<M>; headers?: Record<string, string>}> {
  if (!opts.cached || !ctx.cache) return {reply: await ctx.rpc(method, req, signal)}
  const cc = opts.cacheControl
  const r = await ctx.cache.get(method, req, {
    minIndex: opts.minIndex,
    timeoutMs: opts.waitMs,
    maxAgeMs: cc.maxAgeMs,
    mustRevalidate: cc.mustRevalidate,
    staleIfErrorMs: cc.staleIfErrorMs,
  }, signal)
  const headers: Record<string, string> = {'x-cache': r.meta.hit ? 'HIT' : 'MISS'}
  if (r.meta.hit) headers.age = String(Math.round(r.meta.ageMs / 1000))
  const reply = r.reply as {meta?: {consistency?: string}}
  if (reply && typeof reply === 'object' && !Array.isArray(reply) && reply.meta) {
    const consistency = opts.consistency === 'stale' ? 'stale' : 'leader'
    return {reply: {...reply, meta: {...reply.meta, consistency}} as RpcReply<M>, headers}
  }
  return {reply: r.reply, headers}
}
