import type {Env, Logger, TimerHandle} from '../env/types.js'
import type {Raft} from './raft.js'
import type {SerfMember} from '../gossip/serf/serf.js'
import {MemberStatus} from '../gossip/serf/serf.js'
import type {RaftMembership} from './raft-membership.js'

/** Consul's reconcile_interval: the leader re-checks every member this often besides reacting to events. */
const RECONCILE_INTERVAL_MS = 60_000
/**
 * A failed pass is tried again this soon rather than at the next interval: the usual cause is
 * a membership change still in flight (one at a time), and a server that came back should be
 * re-added within seconds, not a minute (whole-server sim seed 6722).
 */
const RETRY_AFTER_FAILURE_MS = 1000
const SERF_CHECK = 'serfHealth'

export interface ReconcileDeps {
  raft: Raft
  env: Env
  log: Logger
  datacenter: string
  serverPort: number
  members(): SerfMember[]
  /** Servers joining and leaving the Raft configuration. */
  raftMembership?: RaftMembership
}

/**
 * The leader turns LAN membership into the catalog, as Consul's leader does: an
 * alive member has a passing serfHealth check, a failed one a critical check (so its
 * services leave DNS and ?passing), and a member that left or was reaped is
 * deregistered. Only Consul agents are reconciled (role tag node or consul); a plain
 * Serf agent in the pool stays out of the catalog.
 */
export class MemberReconciler {
  private timer?: TimerHandle
  private retryTimer?: TimerHandle
  private running = false
  private again = false

  constructor(private readonly d: ReconcileDeps) {}

  start(): void {
    this.timer?.cancel()
    this.timer = this.d.env.timers.every(RECONCILE_INTERVAL_MS, () => this.reconcileAll())
    this.reconcileAll()
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
    this.retryTimer?.cancel()
    this.retryTimer = undefined
  }

  /** One whole pass soon, however many calls failed meanwhile. */
  private retrySoon(): void {
    if (this.retryTimer || !this.timer) return
    this.retryTimer = this.d.env.timers.after(RETRY_AFTER_FAILURE_MS, () => {
      this.retryTimer = undefined
      this.reconcileAll()
    })
  }

  /** Serf member events (and reaps) on the LAN pool. */
  onMemberEvent(m: SerfMember, reaped: boolean): void {
    if (!this.timer || !this.d.raft.isLeader()) return
    void this.reconcile(m, reaped).catch((e) => {
      this.d.log.warn('member reconcile failed; retrying in a second', {member: m.name, error: String(e)})
      this.retrySoon()
    })
  }

  reconcileAll(): void {
    if (!this.d.raft.isLeader()) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    void (async () => {
      try {
        const known = new Set<string>()
        for (const m of this.d.members()) {
          if (!isConsulAgent(m)) continue
          known.add(m.name)
          await this.reconcile(m, false)
        }
        // Catalog nodes with a serfHealth check that gossip no longer knows were reaped.
        for (const n of this.d.raft.state.nodes().value) {
          if (known.has(n.Node)) continue
          const check = this.d.raft.state.nodeCheck(n.Node, SERF_CHECK).value
          if (check) await this.d.raft.apply({type: 'deregister', req: {Node: n.Node}})
        }
      } catch (e) {
        this.d.log.warn('member reconcile pass failed; retrying in a second', {error: String(e)})
        this.retrySoon()
      } finally {
        this.running = false
        if (this.again) {
          this.again = false
          this.reconcileAll()
        }
      }
    })()
  }

  private async reconcile(m: SerfMember, reaped: boolean): Promise<void> {
    if (!isConsulAgent(m)) return
    const {raft} = this.d
    if (m.tags.dc && m.tags.dc !== this.d.datacenter) return
    await this.d.raftMembership?.reconcile(m, reaped)
    if (reaped || m.status === MemberStatus.left) {
      if (raft.state.node(m.name).value) await raft.apply({type: 'deregister', req: {Node: m.name}})
      return
    }
    const want = m.status === MemberStatus.alive ? 'passing' : m.status === MemberStatus.failed ? 'critical' : undefined
    if (!want) return
    const node = raft.state.node(m.name).value
    const check = raft.state.nodeCheck(m.name, SERF_CHECK).value
    if (node && node.Address === m.addr.ip && check?.Status === want) return
    const output = want === 'passing' ? 'Agent alive and reachable' : 'Agent not live or unreachable'
    await raft.apply({
      type: 'register',
      req: {
        ID: node?.ID ?? m.tags.id ?? '',
        Node: m.name,
        Address: m.addr.ip,
        Datacenter: this.d.datacenter,
        // Keep what the node's own anti-entropy wrote.
        ...(node ? {TaggedAddresses: node.TaggedAddresses, NodeMeta: node.Meta} : {}),
        ...(m.tags.role === 'consul' && want === 'passing'
          ? {Service: {ID: 'consul', Service: 'consul', Port: Number(m.tags.port) || this.d.serverPort, Tags: [], Meta: {}}}
          : {}),
        Check: {Node: m.name, CheckID: SERF_CHECK, Name: 'Serf Health Status', Status: want, Output: output, Notes: '', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '', Definition: {}},
      },
    })
    this.d.log.info(`member ${want === 'passing' ? 'alive' : 'failed'}: serfHealth ${want}`, {member: m.name})
  }
}

function isConsulAgent(m: SerfMember): boolean {
  return m.tags.role === 'node' || m.tags.role === 'consul'
}
