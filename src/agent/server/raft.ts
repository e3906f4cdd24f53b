import type {RuntimeConfig} from '../config/runtime.js'
import type {Env, Logger} from '../env/types.js'
import {HttpError} from '../http/errors.js'
import {RaftNode, RaftError} from '../raft/node.js'
import type {RaftTransport} from '../raft/transport.js'
import type {ServerLookup} from './servers.js'
import {Fsm} from '../../store/fsm/fsm.js'
import {encodeCommand, type Command} from '../../store/fsm/commands.js'
import type {StateStore} from '../../store/state/store.js'
import {StateError} from '../../store/state/errors.js'
import {SqliteRaftStore} from '../../store/raft/sqlite-store.js'
import type {RaftStore} from '../../store/raft/types.js'
import {join} from 'node:path'
import {recoverFromPeersJson} from './peers-json.js'

export interface RaftDeps {
  config: RuntimeConfig
  env: Env
  nodeId: string
  /** This server's RPC address, undefined while it has no RPC listener (-server-port=-1). */
  serverAddr(): string | undefined
  log: Logger
  /** Replaces the SQLite store (the simulator's memory store, fault-injecting wrappers). */
  store?: RaftStore
  /** Carries Raft to the other servers; none when the RPC port is off (a lone server). */
  transport?: RaftTransport
  /** Other servers' names and RPC addresses, from gossip. */
  servers?: ServerLookup
}

/** With the RPC port off (-server-port=-1) there is no one to talk to. */
const loneTransport: RaftTransport = {send() {}, onMessage() {}, close() {}}

/**
 * The server's replicated state machine: Raft log in SQLite under data_dir/raft (an
 * in-memory SQLite database in -dev), the FSM, and the mapping of Raft failures onto
 * Consul's HTTP errors.
 */
export class Raft {
  readonly fsm = new Fsm()
  readonly node: RaftNode
  private readonly store: RaftStore

  constructor(private readonly deps: RaftDeps) {
    const {config, env, nodeId, log} = deps
    this.store = deps.store ?? SqliteRaftStore.open(config.dataDir ?? ':memory:', {wallMs: () => env.clock.wallMs()})
    // Outage recovery: <data_dir>/raft/peers.json replaces the membership before Raft starts.
    if (!deps.store && config.dataDir && config.dataDir !== ':memory:') {
      try {
        recoverFromPeersJson({raftDir: join(config.dataDir, 'raft'), store: this.store, fsm: () => new Fsm(), log})
      } catch (e) {
        this.store.close()
        throw e
      }
    }
    const lone = config.bootstrap || config.bootstrapExpect === 1
    const tickMs = 100 * Math.max(1, config.raftMultiplier) / 5
    this.node = new RaftNode({env, store: this.store, fsm: this.fsm, transport: deps.transport ?? loneTransport}, {
      id: nodeId,
      log,
      tickMs: Math.max(20, tickMs),
      snapshotThreshold: config.raftSnapshotThreshold,
      snapshotIntervalMs: config.raftSnapshotIntervalMs,
      trailingLogs: config.raftTrailingLogs,
      bootstrap: lone ? {voters: [nodeId]} : undefined,
    })
  }

  get state(): StateStore {
    return this.fsm.state
  }

  async start(): Promise<void> {
    await this.node.start()
  }

  async stop(): Promise<void> {
    await this.node.stop()
    this.deps.transport?.close()
    this.store.close()
  }

  isLeader(): boolean {
    return this.node.isLeader()
  }

  hasLeader(): boolean {
    return this.node.leader() !== ''
  }

  lastContactMs(): number {
    return this.node.lastContactMs()
  }

  /**
   * Replicates a command; resolves with the FSM result once committed and applied. With
   * `forward`, a follower sends it to the leader inside the Raft stream and answers once it
   * applied the entry itself (only for commands whose outcome does not depend on which
   * server built them; see forward.ts). Without, a follower refuses ("No cluster leader").
   */
  async apply(cmd: Command, opts?: {forward?: boolean}): Promise<unknown> {
    try {
      const {result} = await this.node.propose(encodeCommand(cmd), opts)
      // The FSM returns user errors (missing node, invalid session) as values so every
      // server applies the entry identically; here they become Consul's 500 answers.
      if (result instanceof StateError) throw new HttpError(500, result.message)
      return result
    } catch (e) {
      throw toHttpError(e)
    }
  }

  /**
   * Default-mode reads: served under the leader's lease without a network round (a
   * ReadIndex round when the lease has lapsed), so a deposed leader never answers.
   */
  async leaseRead(): Promise<void> {
    try {
      await this.node.leaseRead()
    } catch (e) {
      throw toHttpError(e)
    }
  }

  /** ReadIndex round for ?consistent reads. */
  async verifyLeader(): Promise<void> {
    try {
      await this.node.verifyLeader()
    } catch (e) {
      throw toHttpError(e)
    }
  }

  stats(): Record<string, string> {
    return this.node.stats()
  }

  /** The Raft address (RPC port) of a server by ID: this one's own, others' from gossip. */
  addressOf(id: string): string | undefined {
    return id === this.deps.nodeId ? this.deps.serverAddr() : this.deps.servers?.addrOf(id)
  }

  /** /v1/status/leader: the leader's RPC address, "" when there is none or its address is unknown. */
  leaderAddress(): string {
    const id = this.node.leader()
    return id ? this.addressOf(id) ?? '' : ''
  }

  /**
   * /v1/status/peers: the voters of the latest Raft configuration, [] while it is empty
   * (a server still waiting for its bootstrap_expect peers). A voter whose address gossip
   * does not know is left out rather than guessed.
   */
  peerAddresses(): string[] {
    return this.node.configuration().servers.filter((s) => s.voter).flatMap((s) => {
      const a = this.addressOf(s.id)
      return a ? [a] : []
    })
  }

  configuration(nodeName: string) {
    const conf = this.node.configuration()
    const leader = this.node.leader()
    return {
      Servers: conf.servers.map((s) => ({
        ID: s.id,
        Node: s.id === this.deps.nodeId ? nodeName : this.deps.servers?.byId(s.id)?.name ?? '',
        Address: this.addressOf(s.id) ?? '',
        Leader: s.id === leader,
        Voter: s.voter,
        ProtocolVersion: '3',
      })),
      Index: conf.index,
    }
  }
}

function toHttpError(e: unknown): unknown {
  if (e instanceof RaftError) {
    switch (e.code) {
      case 'not-leader':
        return new HttpError(500, 'No cluster leader')
      case 'storage':
        return new HttpError(500, `rpc error: raft storage failure: ${e.message}`)
      case 'stopped':
        return new HttpError(503, 'agent is shutting down')
      case 'failed':
        return new HttpError(500, `rpc error: ${e.message}`)
      case 'timeout':
        return new HttpError(500, 'rpc error: timed out enqueuing operation')
    }
  }
  return e
}
