import type {Env, Logger} from '../env/types.js'
import {RpcError, type RpcCaller} from '../rpc/client.js'
import {EndpointError, type EndpointErrorCode, type Method, type RpcDelegate, type RpcReply, type RpcRequest} from './endpoints/index.js'

/** Methods that change state: never served by a follower, retried elsewhere only when surely undelivered. */
export const WRITES = new Set<string>([
  'KVS.Apply', 'Session.Apply', 'Session.Renew', 'Txn.Apply', 'Catalog.Register', 'Catalog.Deregister', 'Coordinate.Update',
  'Operator.RaftRemovePeerByID', 'Operator.RaftRemovePeerByAddress', 'Operator.RaftTransferLeader', 'Operator.AutopilotSetConfiguration',
  'PreparedQuery.Apply', 'Internal.EventFire',
])

/**
 * KV operations a follower may run itself, its command sent to the leader inside the Raft
 * stream (RaftNode.propose with forward): their outcome is decided by the FSM alone. Not
 * lock/unlock: their lock-delay check reads the wall clock of the server that built the
 * command, which must stay the leader's.
 */
export const FORWARDABLE_KV_OPS: ReadonlySet<string> = new Set(['set', 'cas', 'delete', 'delete-cas', 'delete-tree'])

/** Whether a follower may serve this call itself by forwarding its Raft proposal rather than the call. */
export function proposable(method: string, req: unknown): boolean {
  return method === 'KVS.Apply' && FORWARDABLE_KV_OPS.has((req as {Op?: string} | null)?.Op ?? 'set')
}

/** Answered by whichever server is asked (Consul's Status endpoints never forward). */
const LOCAL_ONLY = new Set<string>(['Status.Leader', 'Status.Peers', 'Status.Ping', 'Catalog.ListDatacenters', 'Coordinate.ListDatacenters'])

/** What a blocking call may take: its wait, the server's jitter (wait/16), and a round trip. */
export function callTimeoutMs(req: unknown, defaultQueryTimeMs: number, maxQueryTimeMs: number): number {
  const q = (req ?? {}) as {MaxQueryTime?: number; MinQueryIndex?: number}
  const wait = q.MinQueryIndex ? Math.min(q.MaxQueryTime ?? defaultQueryTimeMs, maxQueryTimeMs) : 0
  return wait + Math.ceil(wait / 16) + 10_000
}

/**
 * Whether a failed call may be tried again (on another server, or once a leader is
 * known): it surely never ran, or the answer was "no leader", or it was a read.
 */
export function retriable(e: unknown, method: string): boolean {
  if (e instanceof EndpointError) return e.code === 'no-leader'
  if (!(e instanceof RpcError)) return false
  if (e.kind === 'remote') return e.remoteCode === 'no-leader'
  return e.kind === 'connect' || !e.maybeDelivered || (!WRITES.has(method) && e.kind === 'closed')
}

/** A remote endpoint's error keeps its code, so HTTP answers as on the server itself. */
export function toEndpointError(e: unknown): EndpointError {
  if (e instanceof EndpointError) return e
  if (e instanceof RpcError) {
    if (e.kind === 'remote') return new EndpointError((e.remoteCode as EndpointErrorCode | undefined) ?? 'internal', e.message)
    return new EndpointError('internal', `rpc error: ${e.message}`)
  }
  return new EndpointError('internal', String((e as Error)?.message ?? e))
}

export interface ForwardOptions {
  env: Env
  log: Logger
  /** This server's datacenter: a request naming another goes to a server there. */
  datacenter: string
  /** Servers of other datacenters from the WAN pool, nearest first ([] = no path). */
  serversOf(dc: string): string[]
  /** Why `dc` must not be forwarded to although servers claim it (two Raft clusters share its name); undefined when it may. */
  refuse?(dc: string): string | undefined
  /** The endpoints of this server. */
  local: RpcDelegate
  pool: RpcCaller
  isLeader(): boolean
  /**
   * Whether this follower sends proposals to the leader inside the Raft stream (a leader
   * is known): then a `proposable` write runs here, and only its Raft entry travels.
   */
  forwardsProposals?(): boolean
  /** The leader's RPC address, undefined while none is known (or its address is not). */
  leaderAddr(): string | undefined
  lastContactMs(): number
  /** performance.rpc_hold_timeout (Consul: 7 s). */
  holdTimeoutMs: number
  defaultQueryTimeMs: number
  maxQueryTimeMs: number
}

/**
 * A server's `rpc` (Consul's Server.forward): writes and default/consistent reads run
 * on the leader — here when this server leads, else sent to it over the RPC port;
 * stale reads and Status calls run here. With no leader the call is held, retried
 * with a short pause, up to rpc_hold_timeout, then answers "No cluster leader".
 */
export function forwardingDelegate(o: ForwardOptions): RpcDelegate {
  function servedHere<M extends Method>(method: M, req: RpcRequest<M>): boolean {
    if (LOCAL_ONLY.has(method)) return true
    if (o.isLeader()) return true
    // etcd's way: the follower answers once it applies the entry itself, saving the
    // leader the call's decoding, dispatch and reply (a third of its CPU per forwarded write).
    if (proposable(method, req) && o.forwardsProposals?.()) return true
    const q = (req ?? {}) as {AllowStale?: boolean; MaxStaleDuration?: number}
    if (!q.AllowStale || WRITES.has(method)) return false
    const lag = o.lastContactMs()
    // Never heard from a leader: this copy may be empty; Consul sends such reads on too.
    if (lag < 0) return false
    // ?max_stale / discovery_max_stale: a copy lagging more than that is read on the leader.
    return !q.MaxStaleDuration || lag <= q.MaxStaleDuration
  }

  /**
   * Consul's forwardDC: to the nearest server of that datacenter, failing over to the
   * next on errors that allow it. No known server there is "No path to datacenter" at once.
   */
  async function forwardDc<M extends Method>(dc: string, method: M, req: RpcRequest<M>, signal?: AbortSignal): Promise<RpcReply<M>> {
    // Refusing beats guessing: either cluster's answer could be the wrong one.
    const refused = o.refuse?.(dc)
    if (refused) throw new EndpointError('internal', refused)
    const servers = o.serversOf(dc)
    if (servers.length === 0) throw new EndpointError('no-path', 'No path to datacenter')
    let last: unknown
    for (const addr of servers) {
      try {
        return (await o.pool.call(addr, method, req, callTimeoutMs(req, o.defaultQueryTimeMs, o.maxQueryTimeMs))) as RpcReply<M>
      } catch (e) {
        last = e
        if (signal?.aborted || !retriable(e, method)) break
        o.log.debug('rpc to another datacenter failed; trying its next server', {dc, server: addr, error: (e as Error).message})
      }
    }
    throw toEndpointError(last)
  }

  async function rpc<M extends Method>(method: M, req: RpcRequest<M>, signal?: AbortSignal): Promise<RpcReply<M>> {
    const dc = (req as {Datacenter?: unknown} | undefined)?.Datacenter
    if (typeof dc === 'string' && dc !== '' && dc !== o.datacenter && !LOCAL_ONLY.has(method)) return forwardDc(dc, method, req, signal)
    const deadline = o.env.clock.nowMs() + o.holdTimeoutMs
    let last: unknown
    for (let attempt = 0; ; attempt++) {
      try {
        if (servedHere(method, req)) return await o.local(method, req, signal)
        const leader = o.leaderAddr()
        if (!leader) throw new EndpointError('no-leader', 'No cluster leader')
        return (await o.pool.call(leader, method, req, callTimeoutMs(req, o.defaultQueryTimeMs, o.maxQueryTimeMs))) as RpcReply<M>
      } catch (e) {
        last = e
        if (signal?.aborted || !retriable(e, method) || o.env.clock.nowMs() >= deadline) throw toEndpointError(last)
        if (attempt === 0) o.log.debug('rpc: no usable leader yet; holding the call', {method, error: (e as Error).message})
        // Consul waits a jittered fraction of the hold timeout between tries; shorter here
        // so a call answers soon after an election (typically well under a second).
        const pause = Math.min(50 * 2 ** Math.min(attempt, 4), 500, Math.max(1, deadline - o.env.clock.nowMs()))
        await new Promise<void>((r) => o.env.timers.after(pause, r))
      }
    }
  }
  return rpc as RpcDelegate
}
