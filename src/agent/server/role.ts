import type {RuntimeConfig} from '../config/runtime.js'
import type {AgentContext, CoordinateDatacenterMap} from '../context.js'
import type {Env, Logger} from '../env/types.js'
import type {SerfMember} from '../gossip/serf/serf.js'
import {startRpcServer, type RpcServer} from '../rpc/server.js'
import type {RaftStore} from '../../store/raft/types.js'
import type {StateStore} from '../../store/state/store.js'
import type {CoordinateEntry} from '../../store/state/types.js'
import {CoordinateUpdates, DEV_COORDINATE_UPDATE_PERIOD_MS} from './coordinate-updates.js'
import {createEndpoints, localDelegate, type Method, type RpcDelegate} from './endpoints/index.js'
import {Leader} from './leader.js'
import {Raft} from './raft.js'
import {MemberReconciler} from './reconcile-members.js'
import {SessionTimers} from './session-timers.js'

export interface ServerRoleDeps {
  config: RuntimeConfig
  env: Env
  log: Logger
  nodeId: string
  /** The advertised address: the node's catalog address and the host of its RPC address. */
  address: string
  raftStore?: RaftStore
  lanMembers(): SerfMember[]
  /** Internal.EventFire's broadcast in the LAN pool. */
  userEvents?: import('./endpoints/index.js').UserEventPort
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
  private wanCoordinates: () => CoordinateEntry[] = () => []

  constructor(private readonly d: ServerRoleDeps) {
    const {config, env, log} = d
    const port = config.ports.server > 0 ? config.ports.server : 8300
    this.raft = new Raft({config, env, nodeId: d.nodeId, serverAddr: `${d.address}:${port}`, log: log.named('raft'), store: d.raftStore})
    const raft = this.raft
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
    this.rpc = localDelegate(createEndpoints({
      server: {
        state: () => raft.state,
        apply: (cmd) => raft.apply(cmd),
        isLeader: () => raft.isLeader(),
        hasLeader: () => raft.hasLeader(),
        lastContactMs: () => raft.lastContactMs(),
        verifyLeader: () => raft.verifyLeader(),
      },
      env,
      datacenter: config.datacenter,
      defaultQueryTimeMs: config.defaultQueryTimeMs,
      maxQueryTimeMs: config.maxQueryTimeMs,
      raft: {leaderAddress: () => raft.leaderAddress(), peers: () => raft.peerAddresses(), configuration: () => raft.configuration(config.nodeName)},
      sessionTimers: this.sessionTimers,
      coordinates: {
        update: (entry) => this.coordinateUpdates.update(entry),
        datacenters: (): CoordinateDatacenterMap[] => [{Datacenter: config.datacenter, AreaID: 'WAN', Coordinates: this.wanCoordinates()}],
      },
      userEvents: d.userEvents,
    }))
    this.reconciler = new MemberReconciler({
      raft, env, log: log.named('leader'), datacenter: config.datacenter, serverPort: port, members: d.lanMembers,
    })
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

  setWanCoordinates(source: () => CoordinateEntry[]): void {
    this.wanCoordinates = source
  }

  sendCoordinate(entry: CoordinateEntry): Promise<void> | void {
    return this.coordinateUpdates.update(entry)
  }

  onMemberEvent(m: SerfMember, reaped: boolean): void {
    this.reconciler.onMemberEvent(m, reaped)
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
      handler: (method, body, info) => rpc(method as Method, body as never, info.signal),
    })
    this.d.log.info(`server RPC listening on ${c.bindAddr}:${this.listener.port}`)
  }

  async start(ctx: AgentContext): Promise<void> {
    await this.raft.start()
    this.leader = new Leader({ctx, raft: this.raft, sessionTimers: this.sessionTimers, nodeAddress: this.d.address, log: this.d.log.named('leader'), reconciler: this.reconciler})
    this.leader.start()
    this.coordinateUpdates.start()
  }

  /** A lone voter leads at once: be ready only once it has registered itself. */
  async waitReady(): Promise<void> {
    if (this.raft.isLeader()) await this.leader?.waitReady()
    else this.d.log.warn('no cluster leader yet: writes and default reads answer "No cluster leader" until one is elected')
  }

  async stop(): Promise<void> {
    this.leader?.stop()
    this.coordinateUpdates.stop()
    this.sessionTimers.clearAll()
    await this.listener?.close()
    await this.raft.stop()
  }
}
