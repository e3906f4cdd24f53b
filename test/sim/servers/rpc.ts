import type {SimWorld} from '../../../src/agent/env/sim.js'
import type {Random} from '../../../src/agent/env/types.js'
import {RpcError, type RpcCaller} from '../../../src/agent/rpc/client.js'
import type {SimNetwork} from '../network.js'

/** A server as the RPC network reaches it: its current incarnation, or none while it is down. */
export interface RpcEndpoint {
  id: string
  incarnation: number
  rpc(method: string, body: unknown): Promise<unknown>
}

interface InFlight {
  target: string
  incarnation: number
  fail(): void
}

/**
 * Server RPC (forwarding, Status.Peers, client agents' and clients' calls) over a
 * simulated network: a request travels caller → server with the network's delay, runs
 * on the server's turn (a paused server holds it), the reply travels back. The failures
 * are those of a TCP connection, each with the RpcError a real RpcPool gives:
 * - the server is down: 'connect' (refused; never delivered);
 * - random loss: the connection resets, 'closed' (the caller cannot know whether the
 *   request got there, so maybeDelivered);
 * - a cut link: half the time the dial fails at once ('connect'), otherwise the call
 *   hangs until its timeout ('timeout', maybeDelivered), as a partition does;
 * - the server crashes with the call in flight: 'closed', maybeDelivered;
 * - the endpoint throws: 'remote' with the error's code.
 * Bodies and replies are structured-cloned, so caller and server never share objects.
 */
export class SimRpc {
  private readonly inFlight = new Set<InFlight>()

  constructor(
    private readonly world: SimWorld,
    private readonly net: SimNetwork,
    private readonly rng: Random,
    /** addr ("ip:port") → the server's ID, undefined when no server has that address. */
    private readonly resolve: (addr: string) => string | undefined,
    /** The server's current incarnation, undefined while it is down. */
    private readonly endpoint: (id: string) => RpcEndpoint | undefined,
  ) {}

  /** The calls `from` makes (a server's forwarding pool, a client agent's, a client's). */
  caller(from: string): RpcCaller {
    return {call: <T>(addr: string, method: string, body: unknown, timeoutMs: number) => this.call<T>(from, addr, method, body, timeoutMs)}
  }

  /** A server crashed: every call in flight to it fails as a reset connection would. */
  serverDown(id: string): void {
    for (const c of [...this.inFlight]) if (c.target === id) c.fail()
  }

  private call<T>(from: string, addr: string, method: string, body: unknown, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      let entry: InFlight | undefined
      const settle = (f: () => void) => {
        if (settled) return
        settled = true
        timer?.cancel()
        if (entry) this.inFlight.delete(entry)
        f()
      }
      const fail = (e: RpcError) => settle(() => reject(e))
      const timer = Number.isFinite(timeoutMs)
        ? this.world.schedule(from, timeoutMs, () => fail(new RpcError('timeout', `rpc error: ${method} to ${addr} timed out after ${timeoutMs}ms`, {maybeDelivered: true})), 'rpc-timeout')
        : undefined
      const target = this.resolve(addr)
      if (!target) {
        this.world.schedule(from, 0, () => fail(new RpcError('connect', `rpc error: dial tcp ${addr}: no route to host`)), 'rpc-noroute')
        return
      }
      const reset = () => fail(new RpcError('closed', `rpc error: connection to ${addr} reset`, {maybeDelivered: true}))
      const onCut = () => {
        if (this.rng.float() < 0.5) fail(new RpcError('connect', `rpc error: dial tcp ${addr}: i/o timeout`))
        // else: the call hangs until its timeout
      }
      this.net.carry(from, target, `rpc:${method}`, {
        lost: (why) => (why === 'loss' ? reset() : onCut()),
        deliver: () => {
          if (settled) return
          const srv = this.endpoint(target)
          if (!srv) {
            // Refused: travels back like any answer.
            this.net.carry(target, from, 'rpc-refused', {
              deliver: () => fail(new RpcError('connect', `rpc error: dial tcp ${addr}: connection refused`)),
              lost: () => fail(new RpcError('connect', `rpc error: dial tcp ${addr}: connection refused`)),
            })
            return
          }
          entry = {target, incarnation: srv.incarnation, fail: () => this.world.schedule(from, 0, reset, 'rpc-reset')}
          this.inFlight.add(entry)
          const back = (f: () => void) => {
            // A reply from an incarnation that has crashed since never leaves it.
            if (this.endpoint(target)?.incarnation !== srv.incarnation) return
            this.net.carry(target, from, `rpc-reply:${method}`, {
              deliver: () => settle(f),
              lost: (why) => (why === 'loss' ? reset() : undefined),
            })
          }
          let req: unknown
          try {
            req = structuredClone(body)
          } catch (e) {
            return fail(new RpcError('protocol', `rpc error: cannot encode ${method}: ${String(e)}`, {maybeDelivered: false}))
          }
          srv.rpc(method, req).then(
            (reply) => back(() => resolve(structuredClone(reply) as T)),
            (err: unknown) => {
              const e = err as {message?: string; code?: unknown}
              const code = typeof e?.code === 'string' ? e.code : undefined
              back(() => reject(new RpcError('remote', String(e?.message ?? err), code !== undefined ? {remoteCode: code} : {})))
            },
          )
        },
      })
    })
  }
}
