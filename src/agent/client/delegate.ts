import type {Env, Logger} from '../env/types.js'
import type {RpcCaller} from '../rpc/client.js'
import {EndpointError, type Method, type RpcDelegate, type RpcReply, type RpcRequest} from '../server/endpoints/index.js'
import {callTimeoutMs, retriable, toEndpointError} from '../server/forward.js'
import type {SerfMember} from '../gossip/serf/serf.js'

export interface ServerRouterOptions {
  env: Env
  log: Logger
  /** The real RpcPool, or the simulator's (test/sim/servers). */
  pool: RpcCaller
  datacenter: string
  /** Live LAN members; servers are those with role=consul in this datacenter. */
  members(): SerfMember[]
  /** performance.rpc_hold_timeout: how long a call keeps trying other servers (Consul: 7 s). */
  holdTimeoutMs: number
  /** Default blocking wait, to size a call's timeout (Consul adds a margin to MaxQueryTime). */
  defaultQueryTimeMs: number
  maxQueryTimeMs: number
  /** limits.rpc_rate / rpc_max_burst: every call this agent makes to a server takes a token. */
  limiter?: {allow(): boolean}
}

/**
 * A client agent's `rpc`: Consul's router in small — the servers of this datacenter
 * from the LAN pool (their RPC port from the `port` tag), tried in a shuffled order that
 * is kept while it works, failing over to the next on connection errors and on "no
 * leader" for up to rpc_hold_timeout. With no known server it fails at once with
 * Consul's "No known Consul servers".
 */
export function clientDelegate(o: ServerRouterOptions): RpcDelegate & {servers(): string[]} {
  let order: string[] = []

  function servers(): string[] {
    const live = o.members()
      .filter((m) => m.status === 1 && m.tags.role === 'consul' && m.tags.dc === o.datacenter && Number(m.tags.port) > 0)
      .map((m) => `${m.addr.ip.includes(':') ? `[${m.addr.ip}]` : m.addr.ip}:${m.tags.port}`)
    // Keep the current preference while it holds the same servers; shuffle new ones in.
    const kept = order.filter((a) => live.includes(a))
    const fresh = live.filter((a) => !kept.includes(a))
    for (let i = fresh.length - 1; i > 0; i--) {
      const j = o.env.random.int(i + 1)
      ;[fresh[i], fresh[j]] = [fresh[j], fresh[i]]
    }
    order = [...kept, ...fresh]
    return order
  }

  async function rpc<M extends Method>(method: M, req: RpcRequest<M>, signal?: AbortSignal): Promise<RpcReply<M>> {
    // Consul's client checks its limiter before choosing a server, and says so in these words.
    if (o.limiter && !o.limiter.allow()) throw new EndpointError('rate-limited', 'RPC rate limit exceeded')
    const deadline = o.env.clock.nowMs() + o.holdTimeoutMs
    const callTimeout = callTimeoutMs(req, o.defaultQueryTimeMs, o.maxQueryTimeMs)
    let last: unknown
    for (let attempt = 0; ; attempt++) {
      const list = servers()
      if (list.length === 0) {
        if (last) throw toEndpointError(last)
        throw new EndpointError('no-servers', 'No known Consul servers')
      }
      const addr = list[attempt % list.length]
      try {
        return (await o.pool.call(addr, method, req, callTimeout)) as RpcReply<M>
      } catch (e) {
        last = e
        if (signal?.aborted) throw toEndpointError(e)
        if (!retriable(e, method) || o.env.clock.nowMs() >= deadline) throw toEndpointError(e)
        // Move the failed server to the back, then try the next after a short pause.
        order = [...order.filter((a) => a !== addr), addr]
        o.log.debug('rpc failed; trying another server', {method, server: addr, error: (e as Error).message})
        await new Promise<void>((r) => o.env.timers.after(Math.min(250 * (attempt + 1), 1000), r))
      }
    }
  }
  return Object.assign(rpc, {servers})
}
