import type {RuntimeConfig} from '../config/runtime.js'
import type {AgentContext, CoordinateDatacenterMap} from '../context.js'
import type {Env, Logger, TimerHandle} from '../env/types.js'
import type {SerfMember} from '../gossip/serf/serf.js'
import {startRpcServer, type ProtocolHandler, type RpcServer} from '../rpc/server.js'
import {RpcPool, type RpcCaller} from '../rpc/client.js'
import {formatPeer} from '../rpc/addr.js'
import type {RaftTransport} from '../raft/transport.js'
import {Bootstrapper} from './bootstrap.js'
import {FORWARDABLE_KV_OPS, forwardingDelegate} from './forward.js'
import {RaftMembership} from './raft-membership.js'
import {ServerLookup} from './servers.js'
import {WanRouter} from './wan-router.js'
import {ClusterIdentity} from './cluster-id.js'
import {conflictError} from './dc-conflicts.js'
import {DatacenterConflictMonitor} from './dc-conflict-monitor.js'
import type {Coordinate} from '../gossip/coordinate/coordinate.js'
import {checkServerMetadata, writeServerMetadata} from './server-metadata.js'
import type {RaftStore} from '../../store/raft/types.js'
import type {StateStore} from '../../store/state/store.js'
import type {CoordinateEntry} from '../../store/state/types.js'
import {CoordinateUpdates, DEV_COORDINATE_UPDATE_PERIOD_MS} from './coordinate-updates.js'
import {createEndpoints, EndpointError, localDelegate, type Method, type RpcDelegate} from './endpoints/index.js'
import {Autopilot} from './autopilot/autopilot.js'
import {knownServers} from './autopilot/known-servers.js'
import {Leader} from './leader.js'
import {autopilotPort, operatorPort, type OperatorPortDeps} from './operator-port.js'
import {Raft} from './raft.js'
import {MemberReconciler} from './reconcile-members.js'
import {SessionTimers} from './session-timers.js'
import {KvReplicator, disabledStatus} from './replication/replicator.js'
import type {TxnResponse} from '../../store/state/txn.js'

export interface ServerRoleDeps {
  config: RuntimeConfig
  env: Env
  log: Logger
  nodeId: string
  /** The advertised address: the node's catalog address and the host of its RPC address. */
  address: string
  raftStore?: RaftStore
  lanMembers(): SerfMember[]
  /** The WAN pool as it is now (undefined when WAN gossip is off or not started). */
  wan?(): {members(): SerfMember[]; self(): Coordinate | undefined; coordinateOf(member: string): Coordinate | undefined} | undefined
  /** Puts this cluster's identity in this server's WAN tags (raft_cluster_id). */
  advertiseClusterId?(id: string): void
  /**
   * Builds the Raft transport over the RPC port's Raft connections (first byte 0x01).
   * `listen` registers its inbound handler; `resolve` maps a server ID to its address.
   */
  raftTransport?(o: {listen(type: number, handler: ProtocolHandler): void; resolve(id: string): string | undefined}): RaftTransport
  /** Internal.EventFire's broadcast in the LAN pool. */
  userEvents?: import('./endpoints/index.js').UserEventPort
  /** Calls to other servers (forwarding, bootstrap's Status.Peers); default: an RpcPool from -bind. The simulator passes its own. */
  pool?: RpcCaller
}

/**
 * What only a server runs: Raft and the replicated store, the endpoints behind the one
 * seam, the RPC listener on -server-port that serves them to client agents, the leader's
 * duties (session TTLs, tombstone GC, member reconciliation) and coordinate batching.
 */
export class ServerRole {
  readonly raft: Raft
  readonly rpc: RpcDelegate
  readonly sessionTimers: SessionTimers
  private readonly coordinateUpdates: CoordinateUpdates
  private readonly reconciler: MemberReconciler
  private leader?: Leader
  private listener?: RpcServer
  readonly servers: ServerLookup
  readonly wanRouter: WanRouter
  private readonly pool: RpcCaller
  /** The pool this role opened itself (closed on stop); none when one was passed in. */
  private readonly ownPool?: RpcPool
  private readonly protocols = new Map<number, ProtocolHandler>()
  private readonly bootstrapper?: Bootstrapper
  private bootstrapTimer?: TimerHandle
  private metadataTimer?: TimerHandle
  readonly autopilot: Autopilot
  private autopilotTicker?: TimerHandle
  private readonly replicator?: KvReplicator
  readonly clusterId: ClusterIdentity
  private readonly conflicts: DatacenterConflictMonitor
  private wanTicker?: TimerHandle

  constructor(private readonly d: ServerRoleDeps) {
    const {config, env, log} = d
    const port = config.ports.server > 0 ? config.ports.server : 8300
    this.servers = new ServerLookup(config.datacenter, d.lanMembers)
    this.wanRouter = new WanRouter({
      datacenter: config.datacenter,
      members: () => d.wan?.()?.members() ?? [],
      self: () => d.wan?.()?.self(),
      coordinateOf: (m) => d.wan?.()?.coordinateOf(m),
      clusterId: () => this.clusterId.current,
    })
    this.conflicts = new DatacenterConflictMonitor(log.named('server'), config.datacenter)
    this.ownPool = d.pool ? undefined : new RpcPool({bindIp: config.bindAddr, log: log.named('rpc')})
    this.pool = d.pool ?? this.ownPool!
    const transport = config.ports.server !== -1 && d.raftTransport
      ? d.raftTransport({listen: (type, h) => this.protocols.set(type, h), resolve: (id) => this.servers.addrOf(id)})
      : undefined
    this.raft = new Raft({config, env, nodeId: d.nodeId, serverAddr: () => this.rpcAddress(), log: log.named('raft'), store: d.raftStore, transport, servers: this.servers})
    const raft = this.raft
    this.clusterId = new ClusterIdentity({
      log: log.named('server'),
      state: () => raft.state,
      isLeader: () => raft.isLeader(),
      apply: (cmd) => raft.apply(cmd),
      mint: () => env.random.uuid(),
      onChange: (id) => d.advertiseClusterId?.(id),
    })
    const operatorDeps: OperatorPortDeps = {
      raft, env, log: log.named('operator'), nodeId: d.nodeId, nodeName: config.nodeName, selfAddress: () => this.rpcAddress() ?? '',
      known: () => knownServers(this.servers.all()), autopilot: () => this.autopilot,
    }
    this.autopilot = new Autopilot(autopilotPort(operatorDeps))
    this.sessionTimers = new SessionTimers(env, (id) => {
      raft.apply({type: 'session', op: 'destroy', session: {ID: id}, now: env.clock.wallMs()}).then(
        () => log.info('session TTL expired; invalidated', {session: id}),
        (e) => {
          // Not lost: re-arm from the replicated session so a later attempt invalidates it.
          log.warn('session TTL invalidation failed; will retry', {session: id, error: String(e)})
          const s = raft.state.sessionGet(id).value
          if (s?.TTL && raft.isLeader()) this.sessionTimers.reset(id, s.TTL)
        },
      )
    })
    this.coordinateUpdates = new CoordinateUpdates({
      env,
      log: log.named('coordinate'),
      apply: (cmd) => raft.apply(cmd),
      periodMs: config.dev ? DEV_COORDINATE_UPDATE_PERIOD_MS : undefined,
    })
    const local = localDelegate(createEndpoints({
      server: {
        state: () => raft.state,
        // A follower runs only `proposable` writes itself (forward.ts); their commands go to the leader in the Raft stream.
        apply: (cmd) => raft.apply(cmd, {forward: cmd.type === 'kv' && FORWARDABLE_KV_OPS.has(cmd.op)}),
        isLeader: () => raft.isLeader(),
        hasLeader: () => raft.hasLeader(),
        lastContactMs: () => raft.lastContactMs(),
        verifyLeader: () => raft.verifyLeader(),
        leaseRead: () => raft.leaseRead(),
      },
      env,
      datacenter: config.datacenter,
      datacenters: () => this.wanRouter.datacenters(),
      // Prepared-query failover: other datacenters by WAN RTT, each asked through the one seam (forwarded there).
      queryFailover: {
        datacenters: async () => this.wanRouter.datacenters(),
        execute: async (dc, req) => (await this.rpc('PreparedQuery.ExecuteRemote', {...req, Datacenter: dc})).value,
      },
      defaultQueryTimeMs: config.defaultQueryTimeMs,
      maxQueryTimeMs: config.maxQueryTimeMs,
      raft: {leaderAddress: () => raft.leaderAddress(), peers: () => raft.peerAddresses(), configuration: () => raft.configuration(config.nodeName)},
      sessionTimers: this.sessionTimers,
      operator: operatorPort(operatorDeps),
      replication: {status: () => this.replicator?.status() ?? disabledStatus(env.clock.wallMs())},
      coordinates: {
        update: (entry) => this.coordinateUpdates.update(entry),
        datacenters: (): CoordinateDatacenterMap[] => this.wanRouter.coordinateMaps(`${config.nodeName}.${config.datacenter}`),
      },
      userEvents: d.userEvents,
    }))
    const forward = forwardingDelegate({
      env, log: log.named('rpc'), local, pool: this.pool,
      datacenter: config.datacenter, serversOf: (dc) => this.wanRouter.serversOf(dc),
      refuse: (dc) => {
        const c = this.wanRouter.conflict(dc)
        return c && conflictError(c)
      },
      isLeader: () => raft.isLeader(),
      // Only to a leader that says it takes them (an older dc would drop them unanswered).
      forwardsProposals: () => {
        const leader = raft.node.leader()
        return leader !== '' && this.servers.byId(leader)?.raftProposals === true
      },
      leaderAddr: () => raft.leaderAddress() || undefined,
      lastContactMs: () => raft.lastContactMs(),
      holdTimeoutMs: config.rpcHoldTimeoutMs,
      defaultQueryTimeMs: config.defaultQueryTimeMs,
      maxQueryTimeMs: config.maxQueryTimeMs,
    })
    // A Raft node that stopped itself (a failed fsync) serves nothing more: say why at once
    // instead of holding each call as if a leader might still appear.
    this.rpc = ((method, req, signal) => {
      const failed = raft.node.failed()
      return failed ? Promise.reject(new EndpointError('internal', `rpc error: ${failed.message}`)) : forward(method, req, signal)
    }) as RpcDelegate
    if (config.replication) {
      this.replicator = new KvReplicator({
        env, log: log.named('replication'), config: config.replication,
        // Through the one seam, forwarded to the source datacenter like any ?dc= read.
        remoteList: async (prefix, minIndex, waitMs) => {
          const r = await this.rpc('KVS.List', {Datacenter: config.replication!.sourceDatacenter, Key: prefix, MinQueryIndex: minIndex, MaxQueryTime: waitMs})
          return {index: r.meta.index, entries: r.value}
        },
        localList: (prefix) => raft.state.kvList(prefix),
        localGet: (key) => raft.state.kvGet(key).entry,
        // Straight to this server's Raft, never forwarded: a deposed leader's write must fail.
        apply: async (ops) => (await raft.apply({type: 'txn', ops, now: env.clock.wallMs()})) as TxnResponse,
      })
    }
    const raftMembership = new RaftMembership({
      raft, log: log.named('leader'), selfId: d.nodeId, datacenter: config.datacenter, servers: this.servers, nonVoterFirst: () => true,
    })
    this.reconciler = new MemberReconciler({
      raft, env, log: log.named('leader'), datacenter: config.datacenter, serverPort: port, members: d.lanMembers, raftMembership,
    })
    const lone = config.bootstrap || config.bootstrapExpect === 1
    if (!lone && config.bootstrapExpect > 1) {
      this.bootstrapper = new Bootstrapper({
        env, log: log.named('bootstrap'), expect: config.bootstrapExpect,
        aliveServers: () => this.servers.alive(),
        hasState: () => raft.node.hasState(),
        peersOf: (addr) => this.pool.call<string[]>(addr, 'Status.Peers', {}, 5000),
        bootstrap: (voters) => raft.node.bootstrapCluster(voters.map((v) => v.id)),
      })
    }
  }

  /** This server's RPC (and Raft) address as bound: undefined with -server-port=-1, where nothing listens. */
  rpcAddress(): string | undefined {
    return this.listener ? formatPeer(this.d.address, this.listener.port) : undefined
  }

  /** The port client agents call (the bound one when -server-port=0). */
  get rpcPort(): number | undefined {
    return this.listener?.port
  }

  state(): StateStore {
    return this.raft.state
  }

  /** What /v1/agent/self and `dc info` report of Raft. */
  raftStatus(): NonNullable<AgentContext['raft']> {
    const raft = this.raft
    return {
      isLeader: () => raft.isLeader(),
      leaderAddress: () => raft.leaderAddress(),
      peers: () => raft.peerAddresses(),
      stats: () => raft.stats(),
      configuration: () => raft.configuration(this.d.config.nodeName),
    }
  }

  /** The `consul` section of /v1/agent/self's Stats that comes from the WAN pool. */
  wanStats(): Record<string, string> {
    return {
      known_datacenters: String(this.wanRouter.datacenters().length),
      raft_cluster_id: this.clusterId.current ?? '',
      datacenter_conflicts: this.conflicts.datacenters().join(','),
      datacenter_conflicts_detected: String(this.conflicts.detected),
    }
  }

  sendCoordinate(entry: CoordinateEntry): Promise<void> | void {
    return this.coordinateUpdates.update(entry)
  }

  onMemberEvent(m: SerfMember, reaped: boolean): void {
    this.servers.invalidate()
    this.reconciler.onMemberEvent(m, reaped)
    void this.bootstrapper?.maybeBootstrap()
  }

  /** The RPC listener first: gossip tags carry its port, so clients can find it. */
  async listen(): Promise<void> {
    const c = this.d.config
    if (c.ports.server === -1) return
    const rpc = this.rpc
    this.listener = await startRpcServer({
      bindIp: c.bindAddr,
      port: c.ports.server,
      maxConnsPerClient: c.rpcMaxConnsPerClient,
      log: this.d.log.named('rpc'),
      // Only a blocking query waits long enough for a cancel to matter; building an
      // AbortSignal for every forwarded write cost the leader ~5 µs and doubled its GC time.
      handler: (method, body, info) => rpc(method as Method, body as never, (body as {MinQueryIndex?: number} | null)?.MinQueryIndex ? info.signal : undefined),
    })
    for (const [type, h] of this.protocols) this.listener.onProtocol(type, h)
    this.d.log.info(`server RPC listening on ${c.bindAddr}:${this.listener.port}`)
  }

  async start(ctx: AgentContext): Promise<void> {
    const {config, env} = this.d
    if (config.dataDir && !config.dev) {
      const dir = config.dataDir
      checkServerMetadata(dir, {nowMs: env.clock.wallMs(), maxAgeMs: config.serverRejoinAgeMaxMs, datacenter: config.datacenter})
      const touch = () => {
        try {
          writeServerMetadata(dir, {nowMs: env.clock.wallMs(), datacenter: config.datacenter})
        } catch (e) {
          this.d.log.warn('could not update server_metadata.json', {error: String(e)})
        }
      }
      touch()
      this.metadataTimer = env.timers.every(60_000, touch)
    }
    await this.raft.start()
    this.leader = new Leader({ctx, raft: this.raft, sessionTimers: this.sessionTimers, nodeAddress: this.d.address, log: this.d.log.named('leader'), reconciler: this.reconciler, replicator: this.replicator, rpcPort: () => this.listener?.port})
    this.leader.start()
    this.coordinateUpdates.start()
    if (this.bootstrapper) {
      // Member events drive it; the timer covers a pool that was complete before Raft started.
      this.bootstrapTimer = this.d.env.timers.every(1000, () => {
        if (this.bootstrapper!.finished) this.bootstrapTimer?.cancel()
        else void this.bootstrapper!.maybeBootstrap()
      })
      void this.bootstrapper.maybeBootstrap()
    }
    // Autopilot's state refresh (raft-autopilot: every 2 s); it acts only while this server leads.
    // A server removed as dead may have come back while its removal was in flight (its
    // member-join found it still in the configuration): reconcile again so it is re-added
    // now rather than at the next 60 s pass (whole-server sim seeds 1098, 1209).
    const tick = () => void this.autopilot.tick(this.d.env.clock.nowMs(), this.d.env.clock.wallMs()).then((done) => {
      if (done.some((a) => a.type === 'remove')) this.reconciler.reconcileAll()
    })
    this.autopilotTicker = this.d.env.timers.every(2000, tick)
    tick()
    // Only with a WAN pool: there the cluster's identity tells same-named datacenters apart.
    if (this.d.wan?.()) {
      const wanTick = () => {
        try {
          this.clusterId.check()
          this.conflicts.update(this.wanRouter.conflicts(), this.clusterId.current)
        } catch (e) {
          // A timer callback that throws would end the process; this pass is retried in a second.
          this.d.log.warn('cluster ID / datacenter name check failed', {error: String(e)})
        }
      }
      this.wanTicker = this.d.env.timers.every(1000, wanTick)
      wanTick()
    }
  }

  /** A lone voter leads at once: be ready only once it has registered itself. */
  async waitReady(): Promise<void> {
    if (this.raft.isLeader()) await this.leader?.waitReady()
    else this.d.log.warn('no cluster leader yet: writes and default reads answer "No cluster leader" until one is elected')
  }

  async stop(): Promise<void> {
    this.bootstrapTimer?.cancel()
    this.metadataTimer?.cancel()
    this.leader?.stop()
    this.autopilotTicker?.cancel()
    this.wanTicker?.cancel()
    this.coordinateUpdates.stop()
    this.sessionTimers.clearAll()
    await this.listener?.close()
    await this.ownPool?.close()
    await this.raft.stop()
  }
}
