import type {Logger} from '../env/types.js'
import {parseRpcAddr} from './addr.js'
import {ClientConn} from './client-conn.js'
import {createCodec} from './codec.js'
import {RpcError} from './error.js'
import {DEFAULT_MAX_FRAME_BYTES} from './protocol.js'

export {RpcError, type RpcErrorKind} from './error.js'

export interface RpcPoolOptions {
  /** Outgoing connections originate from this address (the agent's -bind). */
  bindIp?: string
  log: Logger
  /** Default 10000 ms, as Consul's pool dial timeout. */
  connectTimeoutMs?: number
  /** A connection with no call in flight for this long is closed (default 120000 ms, Consul's pool MaxTime). */
  idleMs?: number
  /** Largest response frame accepted (default 64 MiB: replies such as a catalog dump outgrow requests). */
  maxResponseBytes?: number
  /** Largest request sent (default 8 MiB, the server's default limit); bigger calls fail locally with 'protocol'. */
  maxRequestBytes?: number
}

/**
 * What callers of the server RPC need: one call to an address. RpcPool is the real one;
 * the simulator passes one over its simulated network (test/sim/servers).
 */
export interface RpcCaller {
  call<T = unknown>(addr: string, method: string, body: unknown, timeoutMs: number): Promise<T>
}

/**
 * Connections to servers, one multiplexed connection per address, opened on first use,
 * reused by every call to that address, replaced after it breaks, closed when idle.
 * There is no separate health probe: a broken connection shows itself on use (its calls
 * fail with kind 'closed') and the next call dials afresh.
 */
export class RpcPool implements RpcCaller {
  private readonly conns = new Map<string, ClientConn>()
  private readonly all = new Set<ClientConn>()
  private readonly codec
  private closed = false
  private readonly o: Required<Omit<RpcPoolOptions, 'bindIp'>> & {bindIp?: string}

  constructor(o: RpcPoolOptions) {
    this.o = {
      connectTimeoutMs: 10_000, idleMs: 120_000, maxResponseBytes: 64 * 1024 * 1024,
      maxRequestBytes: DEFAULT_MAX_FRAME_BYTES, ...withoutUndefined(o), log: o.log,
    }
    this.codec = createCodec(this.o.maxResponseBytes)
  }

  /**
   * One call; rejects with RpcError. timeoutMs bounds this call only (a blocking query
   * may legitimately wait minutes; pass its wait plus a margin). Infinity = no timeout.
   */
  call<T = unknown>(addr: string, method: string, body: unknown, timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new RpcError('closed', 'rpc: pool closed', {maybeDelivered: false}))
    let conn = this.conns.get(addr)
    if (!conn || conn.gone) {
      let target
      try {
        target = parseRpcAddr(addr)
      } catch (e) {
        return Promise.reject(e)
      }
      conn = new ClientConn({
        ...target, addr, bindIp: this.o.bindIp, connectTimeoutMs: this.o.connectTimeoutMs, idleMs: this.o.idleMs,
        codec: this.codec, maxFrameBytes: this.o.maxResponseBytes, maxRequestBytes: this.o.maxRequestBytes, log: this.o.log,
        onGone: (c) => {
          if (this.conns.get(addr) === c) this.conns.delete(addr)
          void c.closedPromise.then(() => this.all.delete(c))
        },
      })
      this.conns.set(addr, conn)
      this.all.add(conn)
    }
    return conn.call(method, body, timeoutMs) as Promise<T>
  }

  /** Open connections (for tests and stats). */
  get size(): number {
    return this.conns.size
  }

  /** Fails calls in flight with kind 'closed' and closes every connection. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.all]
    for (const c of all) c.close()
    await Promise.all(all.map((c) => c.closedPromise))
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
