// Three real RaftNodes on real RpcServers (127.0.0.121–123, ephemeral ports), real env
// (Node timers), wired by the TCP Raft transport. Bounded polling, never fixed sleeps.
import type * as net from 'node:net'
import {afterEach} from 'vitest'
import {createLogger, createNodeEnv} from '../../../src/agent/env/node.js'
import type {NodeId} from '../../../src/agent/raft/core/types.js'
import {RaftError, RaftNode, type RaftNodeOptions} from '../../../src/agent/raft/node.js'
import {createTcpRaftTransport, type TcpRaftTransport, type TcpRaftTransportOptions} from '../../../src/agent/raft/transport-tcp.js'
import {startRpcServer, type RpcServer} from '../../../src/agent/rpc/server.js'
import {MemoryRaftStore} from '../../../src/store/raft/memory-store.js'
import {MapFsm, cmd} from '../raft-node/helpers.js'

export const log = createLogger({level: 'error', json: false, write: () => {}})
export const DC = 'dc1'
export const IPS: Record<NodeId, string> = {a: '127.0.0.121', b: '127.0.0.122', c: '127.0.0.123'}
/** Source address of the tests' raw (misbehaving) connections. */
export const RAW_IP = '127.0.0.124'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Polls cond every 10 ms; fails with `what` if it does not hold within timeoutMs. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export interface Member {
  id: NodeId
  server: RpcServer
  transport: TcpRaftTransport
  node: RaftNode
  fsm: MapFsm
  store: MemoryRaftStore
  port: number
}

type TransportExtras = Partial<Omit<TcpRaftTransportOptions, 'selfId' | 'datacenter' | 'resolve' | 'listener' | 'log'>>

/** Fast ticks so elections and catch-up take well under a second. */
const NODE_DEFAULTS: Partial<RaftNodeOptions> = {tickMs: 20, electionTicks: 10, heartbeatTicks: 1, requestTimeoutMs: 5000}

export class TcpCluster {
  readonly members = new Map<NodeId, Member>()
  /** What resolve() answers: the RPC address each member listens on now. */
  readonly addrs = new Map<NodeId, string>()

  constructor(
    private readonly nodeOpts: Partial<RaftNodeOptions> = {},
    private readonly transportOpts: (id: NodeId) => TransportExtras = () => ({redialMaxMs: 300}),
  ) {
    cleanups.push(() => this.stopAll())
  }

  static async start(nodeOpts: Partial<RaftNodeOptions> = {}, transportOpts?: (id: NodeId) => TransportExtras): Promise<TcpCluster> {
    const c = new TcpCluster(nodeOpts, transportOpts)
    for (const id of Object.keys(IPS)) await c.startMember(id)
    return c
  }

  /** Starts (or restarts, over its old store and port) one member. */
  async startMember(id: NodeId, store = new MemoryRaftStore(), port = 0): Promise<Member> {
    const server = await startRpcServer({bindIp: IPS[id]!, port, log, handler: async () => {
      throw new Error('no RPC endpoints in this test')
    }})
    this.addrs.set(id, `${IPS[id]}:${server.port}`)
    const transport = createTcpRaftTransport({
      selfId: id, datacenter: DC, bindIp: IPS[id], resolve: (peer) => this.addrs.get(peer), listener: server, log,
      ...this.transportOpts(id),
    })
    const fsm = new MapFsm()
    const node = new RaftNode({env: createNodeEnv(log), store, fsm, transport}, {
      id, log, bootstrap: {voters: Object.keys(IPS)}, ...NODE_DEFAULTS, ...this.nodeOpts,
    })
    node.start()
    const m = {id, server, transport, node, fsm, store, port: server.port}
    this.members.set(id, m)
    return m
  }

  /** Stops the node, its transport and its RPC listener (as a crashed or stopped server). */
  async stopMember(id: NodeId): Promise<Member> {
    const m = this.get(id)
    m.node.stop()
    m.transport.close()
    await m.server.close()
    return m
  }

  /** A stopped member comes back on the same IP and port with the same durable store. */
  async restartMember(id: NodeId): Promise<Member> {
    const old = this.get(id)
    return this.startMember(id, new MemoryRaftStore({disk: old.store.disk}), old.port)
  }

  get(id: NodeId): Member {
    return this.members.get(id)!
  }

  async stopAll(): Promise<void> {
    for (const m of this.members.values()) {
      m.node.stop()
      m.transport.close()
      await m.server.close()
    }
  }

  async leader(among: NodeId[] = [...this.members.keys()]): Promise<Member> {
    const ms = () => among.map((id) => this.get(id))
    const lead = () => ms().filter((m) => m.node.isLeader())
    await waitFor('a stable leader', () => lead().length === 1 && ms().every((m) => m.node.leader() === lead()[0]!.id))
    return lead()[0]!
  }

  /** Proposes on whoever leads, retrying while leadership moves; resolves with the applied index. */
  async put(k: string, v: string, among?: NodeId[]): Promise<number> {
    const deadline = Date.now() + 8000
    for (;;) {
      const l = await this.leader(among)
      try {
        return (await l.node.propose(cmd(k, v))).index
      } catch (e) {
        const retry = e instanceof RaftError && ['not-leader', 'leadership-lost', 'stopped'].includes(e.code)
        if (!retry || Date.now() > deadline) throw e
      }
    }
  }

  /** Every member in `ids` holds the same map, applied up to the same index, with at least `minKeys` keys. */
  async converged(ids: NodeId[] = [...this.members.keys()], minKeys = 0): Promise<void> {
    const ms = () => ids.map((id) => this.get(id))
    await waitFor(`convergence of ${ids.join(',')}`, () => {
      const maps = ms().map((m) => JSON.stringify([...m.fsm.map].sort()))
      const applied = ms().map((m) => m.node.stats().applied_index)
      return maps.every((x) => x === maps[0]) && applied.every((a) => a === applied[0]) && ms()[0]!.fsm.map.size >= minKeys
    })
  }
}

/** Destroys a socket; typed so a hook can be passed where tests want a cut. */
export const cut = (s: net.Socket): void => {
  s.destroy()
}
