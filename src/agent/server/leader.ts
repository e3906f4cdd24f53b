import type {AgentContext} from '../context.js'
import type {Logger} from '../env/types.js'
import type {Raft} from './raft.js'
import type {SessionTimers} from './session-timers.js'
import {TombstoneGc} from './tombstone-gc.js'
import {defaultNodeInfo} from '../local/index.js'
import type {TimerHandle} from '../env/types.js'
import type {MemberReconciler} from './reconcile-members.js'

/** Consul's tombstone_ttl and its GC granularity. */
const TOMBSTONE_TTL_MS = 15 * 60_000
const TOMBSTONE_GRANULARITY_MS = 30_000

export interface LeaderDeps {
  ctx: AgentContext
  raft: Raft
  sessionTimers: SessionTimers
  nodeAddress: string
  log: Logger
  /** Turns LAN gossip membership into catalog nodes and serfHealth checks while leader. */
  reconciler?: MemberReconciler
  /** KV prefix replication from another datacenter (the replication stanza), run while leader. */
  replicator?: {start(): void; stop(): void}
  /** The bound RPC port (it differs from the configured one with -server-port=0). */
  rpcPort?(): number | undefined
}

/**
 * Work only the leader does: register its own node (with a passing serfHealth check:
 * it is alive, it is running this), reconcile gossip members into the catalog, and
 * arm session TTL timers when leadership is gained; drop the timers when it is lost.
 */
export class Leader {
  private ready!: Promise<void>
  private resolveReady!: () => void
  private stopped = false
  private unsubscribe?: () => void
  private readonly gc = new TombstoneGc(TOMBSTONE_TTL_MS)
  private gcTimer?: TimerHandle

  constructor(private readonly d: LeaderDeps) {
    this.ready = new Promise((r) => (this.resolveReady = r))
  }

  start(): void {
    // Called with the leader's ID on every change: act on gaining or losing it here.
    let leading = false
    this.unsubscribe = this.d.raft.node.onLeaderChange((leader) => {
      const now = leader !== '' && leader === this.d.raft.node.id
      if (now === leading) return
      leading = now
      if (now) void this.establish()
      else this.revoke()
    })
    if (this.d.raft.isLeader()) {
      leading = true
      void this.establish()
    }
  }

  stop(): void {
    this.stopped = true
    this.unsubscribe?.()
    this.gcTimer?.cancel()
    this.d.reconciler?.stop()
    this.d.replicator?.stop()
  }

  private revoke(): void {
    this.d.reconciler?.stop()
    this.d.replicator?.stop()
    this.d.sessionTimers.clearAll()
    this.gcTimer?.cancel()
    this.gcTimer = undefined
    this.gc.reset()
  }

  /** Samples the tombstone index and reaps what has outlived tombstone_ttl (leader only). */
  private startTombstoneGc(): void {
    const {ctx, raft, log} = this.d
    this.gcTimer?.cancel()
    this.gcTimer = ctx.env.timers.every(TOMBSTONE_GRANULARITY_MS, () => {
      const now = ctx.env.clock.nowMs()
      this.gc.sample(now, raft.state.maxIndex('tombstones'))
      const upTo = this.gc.due(now)
      if (upTo > 0) void raft.apply({type: 'tombstone-reap', upTo}).catch((e) => log.warn('tombstone reap failed', {error: String(e)}))
    })
  }

  /** Resolves once this server has led and registered itself (at most once per start). */
  waitReady(): Promise<void> {
    return this.ready
  }

  private async establish(): Promise<void> {
    const {ctx, raft, sessionTimers, log} = this.d
    try {
      await raft.apply({
        type: 'register',
        req: {
          // The same node record anti-entropy writes, so the two never disagree.
          ...defaultNodeInfo(ctx.config, ctx.nodeId, this.d.nodeAddress),
          // Servers appear as the "consul" service (consul.service.consul), as in Consul.
          // Port 0 with -server-port=-1: no RPC listener, and no made-up port for it.
          Service: {ID: 'consul', Service: 'consul', Port: this.d.rpcPort?.() ?? (ctx.config.ports.server > 0 ? ctx.config.ports.server : ctx.config.ports.server === -1 ? 0 : 8300), Tags: [], Meta: {}},
          Check: {
            Node: ctx.config.nodeName,
            CheckID: 'serfHealth',
            Name: 'Serf Health Status',
            Status: 'passing',
            Output: 'Agent alive and reachable',
            Notes: '',
            ServiceID: '',
            ServiceName: '',
            ServiceTags: [],
            Type: '',
            Definition: {},
          },
        },
      })
      for (const s of raft.state.sessionList().value) if (s.TTL) sessionTimers.reset(s.ID, s.TTL)
      this.startTombstoneGc()
      this.d.reconciler?.start()
      this.d.replicator?.start()
      log.info('cluster leadership acquired; node registered', {node: ctx.config.nodeName})
      this.resolveReady()
    } catch (e) {
      if (!this.stopped) log.error('failed to establish leadership', {error: String(e)})
    }
  }
}
