import {buildRuntimeConfig, type RuntimeConfig} from '../../../src/agent/config/runtime.js'
import type {AgentContext} from '../../../src/agent/context.js'
import type {SimWorld} from '../../../src/agent/env/sim.js'
import {MemberStatus, type SerfMember} from '../../../src/agent/gossip/serf/serf.js'
import {bootstrapSnapshot} from '../../../src/agent/raft/core/index.js'
import type {RaftNode} from '../../../src/agent/raft/node.js'
import type {RaftTransport} from '../../../src/agent/raft/transport.js'
import {ServerRole, type ServerRoleDeps} from '../../../src/agent/server/role.js'
import {MemoryRaftDisk, MemoryRaftStore} from '../../../src/store/raft/memory-store.js'
import {dump} from '../../../src/store/state/snapshot.js'
import {checkLeaderCompleteness, checkLogMatching, digest} from '../checkers.js'
import type {ClusterChecks} from '../cluster.js'
import {diskSync, LazySyncStore} from '../lazy-store.js'
import type {SimNetwork} from '../network.js'
import type {NemesisTarget} from '../nemesis.js'
import {SimMembers} from './members.js'
import {mortalEnv} from './mortal.js'
import type {ServerSimParams} from './params.js'
import {SimRpc, type RpcEndpoint} from './rpc.js'

export const DATACENTER = 'dc1'
const SERVER_PORT = 8300

/** Raft IDs are node IDs (UUIDs), as in Consul; s1..sN are the node names. */
export function serverId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

/** What sets one datacenter of a multi-datacenter world apart (every field defaults to the single-DC cluster's). */
export interface ClusterPlacement {
  datacenter?: string
  /** Servers are numbered from first+1 (IDs, names s<n>, IPs 127.0.10.<n>), so datacenters never collide. */
  first?: number
  /** RPC shared by every datacenter (the cluster answers through resolveAddr/endpoint); else its own. */
  rpc?: (cluster: ServerCluster) => SimRpc
  /** The WAN pool as server `id` sees it (ServerRole's wan dep). */
  wan?: (id: string) => NonNullable<ServerRoleDeps['wan']>
}

export interface ServerMember {
  /** Node ID = Raft ID = the world owner of its events. */
  id: string
  name: string
  ip: string
  addr: string
  up: boolean
  incarnation: number
  role: ServerRole
  store: MemoryRaftStore | LazySyncStore
  disk: MemoryRaftDisk
  transport: RaftTransport
  kill(): void
}

/**
 * N whole servers (ServerRole: Raft, endpoints, forwarding, bootstrap, leader duties,
 * autopilot) on one simulated world: Raft messages over `raftNet`, server RPC over
 * `rpcNet` (SimRpc), LAN membership from SimMembers, a memory Raft store on a durable
 * "disk" per server. crash() is kill -9: the incarnation's timers stop, unsynced
 * writes are lost, calls in flight to it reset; restart() boots a new ServerRole on the
 * same disk.
 */
export class ServerCluster implements NemesisTarget {
  readonly ids: string[]
  readonly names = new Map<string, string>()
  readonly members = new Map<string, ServerMember>()
  readonly gossip: SimMembers
  readonly rpc: SimRpc
  /** Both channels at once: what the nemesis's partitions cut. */
  readonly net: NemesisTarget['net']
  restores = 0
  crashes = 0
  private readonly byAddr = new Map<string, string>()
  private readonly base: RuntimeConfig

  constructor(
    private readonly world: SimWorld,
    readonly raftNet: SimNetwork,
    readonly rpcNet: SimNetwork,
    readonly params: ServerSimParams,
    readonly checks: ClusterChecks,
    private readonly placement: ClusterPlacement = {},
  ) {
    this.datacenter = placement.datacenter ?? DATACENTER
    this.first = placement.first ?? 0
    this.ids = Array.from({length: params.servers}, (_, i) => serverId(this.first + i + 1))
    this.ids.forEach((id, i) => {
      this.names.set(id, `s${this.first + i + 1}`)
      this.byAddr.set(`127.0.10.${this.first + i + 1}:${SERVER_PORT}`, id)
    })
    const mine = new Set(this.ids)
    this.net = {
      partition: (g) => (raftNet.partition(g), rpcNet.partition(g)),
      isolate: (id, all) => (raftNet.isolate(id, all), rpcNet.isolate(id, all)),
      cut: (a, b, oneWay) => (raftNet.cut(a, b, oneWay), rpcNet.cut(a, b, oneWay)),
      // A shared RPC network: heal only this datacenter's own cuts (the WAN's are not ours).
      heal: () => (raftNet.heal(), placement.rpc ? rpcNet.heal((a, b) => mine.has(a) && mine.has(b)) : rpcNet.heal()),
    }
    this.gossip = new SimMembers(world, (m) => this.onMemberEvent(m))
    this.rpc = placement.rpc ? placement.rpc(this) : new SimRpc(world, rpcNet, world.rng('rpc'), (addr) => this.resolveAddr(addr), (id) => this.endpoint(id))
    const expect = params.bootstrap === 'expect' ? {bootstrap_expect: params.servers} : {}
    this.base = buildRuntimeConfig({
      dev: false, configFiles: [], configDirs: [],
      flags: {server: true, data_dir: '/sim', datacenter: this.datacenter, ...expect, performance: {raft_multiplier: params.raftMultiplier}, ports: {server: SERVER_PORT, http: -1, dns: -1, serf_lan: -1, serf_wan: -1, grpc: -1}},
    }).config
  }

  readonly datacenter: string
  private readonly first: number

  /** The server ID at an RPC address ("ip:port"), undefined when none of ours has it. */
  resolveAddr(addr: string): string | undefined {
    return this.byAddr.get(addr)
  }

  /** Server `id`'s current incarnation as RPC reaches it, undefined while it is down (or not ours). */
  endpoint(id: string): RpcEndpoint | undefined {
    const m = this.members.get(id)
    return m?.up ? {id, incarnation: m.incarnation, rpc: (method, body) => m.role.rpc(method as never, body as never)} : undefined
  }

  start(): void {
    this.ids.forEach((id, i) => {
      const disk = new MemoryRaftDisk()
      if (this.params.bootstrap === 'preset') {
        // As if a previous run had bootstrapped: the N-voter configuration is on every disk.
        const s = new MemoryRaftStore({disk})
        s.persist({snapshot: bootstrapSnapshot(this.ids), entries: []})
        s.close()
      }
      const tags: Record<string, string> = {role: 'consul', dc: this.datacenter, id, port: String(SERVER_PORT), raft_vsn: '3', ft_raft_prop: '1', expect: this.params.bootstrap === 'expect' ? String(this.params.servers) : '0'}
      this.gossip.add(this.names.get(id)!, `127.0.10.${this.first + i + 1}`, tags, this.world.rng(`join:${id}`).float() * this.params.aliveDetectMs)
      this.boot(id, disk, 1)
    })
  }

  lanMembers(): SerfMember[] {
    return this.gossip.list()
  }

  member(id: string): ServerMember {
    const m = this.members.get(id)
    if (!m) throw new Error(`no server ${id}`)
    return m
  }

  up(): ServerMember[] {
    return this.ids.map((id) => this.member(id)).filter((m) => m.up)
  }

  node(id: string): RaftNode {
    return this.member(id).role.raft.node
  }

  crash(id: string): void {
    const m = this.member(id)
    if (!m.up) return
    m.up = false
    this.crashes++
    this.rpc.serverDown(id)
    m.kill()
    m.role.raft.node.stop()
    m.transport.close()
    m.store.crash()
    this.gossip.change(m.name, MemberStatus.failed, this.params.failureDetectMs)
    this.world.resume(id) // a dead process is not paused
  }

  restart(id: string): void {
    const m = this.member(id)
    if (m.up) return
    this.boot(id, m.disk, m.incarnation + 1)
    this.gossip.alive(m.name, this.params.aliveDetectMs)
  }

  pause(id: string): void {
    if (this.member(id).up) this.world.pause(id)
  }

  resume(id: string): void {
    this.world.resume(id)
  }

  /** The up, unpaused leader with the highest term. */
  leader(): (ServerMember & {node: RaftNode}) | undefined {
    let best: ServerMember | undefined
    let bestTerm = -1
    for (const m of this.up()) {
      if (this.world.isPaused(m.id) || !m.role.raft.isLeader()) continue
      const t = Number(m.role.raft.stats().term)
      if (t > bestTerm) {
        best = m
        bestTerm = t
      }
    }
    return best ? Object.assign(Object.create(best) as ServerMember, best, {node: best.role.raft.node}) : undefined
  }

  /** One leader every up server follows. */
  stableLeader(): ServerMember | undefined {
    const l = this.leader()
    if (!l) return undefined
    return this.up().every((m) => m.role.raft.node.leader() === l.id) ? this.member(l.id) : undefined
  }

  /** Every server up, on the same applied index = commit index, with byte-identical state. */
  converged(): boolean {
    const ms = this.ids.map((id) => this.member(id))
    if (!ms.every((m) => m.up && !this.world.isPaused(m.id))) return false
    const want = ms[0]!.role.raft.stats().applied_index
    for (const m of ms) {
      const s = m.role.raft.stats()
      if (s.applied_index !== want || s.commit_index !== want) return false
    }
    const d0 = digest(dump(ms[0]!.role.state()))
    return ms.every((m) => digest(dump(m.role.state())) === d0)
  }

  /** Invariants at quiescent points: no server stopped itself, terms never go back, equal applied index ⇒ equal state. */
  checkpoint(): void {
    const v = this.checks.violations
    const byApplied = new Map<string, {id: string; d: string}>()
    for (const m of this.up()) {
      const s = m.role.raft.stats()
      if (s.state === 'Shutdown') v.add(`${m.name} stopped itself (see its error log)`)
      // A term only counts once durable: a node may learn a term, crash before its disk
      // syncs it, and come back at the older one, as long as it never sent anything at the
      // newer term (the driver holds those messages until the sync). So the disk's term must
      // never go back, and within one incarnation neither may the live one.
      this.checks.terms.observe(m.id, m.disk.log.hardState.term)
      this.checks.terms.observe(`${m.id} (incarnation ${m.incarnation}, in memory)`, Number(s.term))
      const d = digest(dump(m.role.state()))
      const other = byApplied.get(s.applied_index!)
      if (other && other.d !== d) v.add(`state machine safety: ${other.id} and ${m.name} both applied ${s.applied_index} but hold different states`)
      byApplied.set(s.applied_index!, {id: m.name, d})
    }
  }

  checkLogs(): void {
    checkLogMatching(this.checks.violations, this.ids.map((id) => ({node: this.names.get(id)!, store: this.member(id).store})))
  }

  /** A member changed in gossip: every up server hears of it (Serf member events). */
  private onMemberEvent(m: SerfMember): void {
    for (const s of this.up()) s.role.onMemberEvent(m, false)
  }

  private boot(id: string, disk: MemoryRaftDisk, incarnation: number): void {
    const p = this.params
    const i = this.ids.indexOf(id)
    const name = this.names.get(id)!
    const ip = `127.0.10.${this.first + i + 1}`
    const clock = p.clocks[i] ?? {skewMs: 0, rate: 1}
    const {env, kill} = mortalEnv(this.world.envFor(id, {clockSkewMs: clock.skewMs, clockRate: clock.rate}))
    const syncLater = p.diskSyncMaxMs > 0 ? diskSync(this.world.rng(`disk/${id}/${incarnation}`), env, p.diskSyncMaxMs) : undefined
    const store = p.lazyCommitSync ? new LazySyncStore(disk, false, syncLater) : new MemoryRaftStore({disk, autoSync: true, syncLater})
    const transport = this.raftNet.connect(id)
    const config: RuntimeConfig = {
      ...this.base,
      nodeName: name, bindAddr: ip, advertiseAddr: ip, dataDir: undefined,
      raftSnapshotThreshold: p.snapshotThreshold, raftTrailingLogs: p.trailingLogs, raftSnapshotIntervalMs: p.snapshotIntervalMs,
    }
    const role = new ServerRole({
      config, env, log: env.log, nodeId: id, address: ip, raftStore: store,
      lanMembers: () => this.gossip.list(),
      raftTransport: () => transport,
      pool: this.rpc.caller(id),
      ...(this.placement.wan ? {wan: this.placement.wan(id)} : {}),
    })
    const m: ServerMember = {id, name, ip, addr: `${ip}:${SERVER_PORT}`, up: true, incarnation, role, store, disk, transport, kill}
    this.members.set(id, m)
    this.record(m)
    // The agent context the leader's duties read (its node record); nothing else of it is used.
    const ctx = {config, env, log: env.log, nodeId: id} as unknown as AgentContext
    role.start(ctx).catch((err: unknown) => {
      if (m.up && this.members.get(id) === m) this.checks.violations.add(`${name} failed to start (incarnation ${incarnation}): ${(err as Error).stack ?? String(err)}`)
    })
  }

  /** Reports every apply, restore and leader change of this incarnation to the checkers. */
  private record(m: ServerMember): void {
    const {sms, election, violations} = this.checks
    const raft = m.role.raft
    const fsm = raft.fsm
    const apply = fsm.apply.bind(fsm)
    const restore = fsm.restore.bind(fsm)
    // The FSM is the server's own (Raft builds it); wrap its instance methods to watch it.
    fsm.apply = (index, term, data) => {
      const r = apply(index, term, data)
      const state = sms.wantsState(index) ? dump(fsm.state) : undefined
      sms.applied(m.name, index, term, data, state, Number(raft.stats().term))
      return r
    }
    fsm.restore = (data, index, term) => {
      if (data.byteLength === 0 && fsm.lastApplied.index > 0) violations.add(`${m.name} was asked to restore an empty snapshot at ${index} over a non-empty state`)
      restore(data, index, term)
      this.restores++
      if (data.byteLength > 0) sms.restored(m.name, index, data, dump(fsm.state))
    }
    raft.node.onLeaderChange((leader) => {
      if (!m.up) return
      const term = Number(raft.stats().term)
      election.observe(term, leader, m.name)
      if (leader === m.id) checkLeaderCompleteness(violations, sms, m.name, term, m.store)
    })
  }
}
