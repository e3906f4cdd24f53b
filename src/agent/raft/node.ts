import type {Env, Logger, TimerHandle} from '../env/types.js'
import {
  bootstrapSnapshot,
  confChangeOf,
  ProposalDroppedError,
  RaftError as CoreRaftError,
  RawNode,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type ProposalResult,
  type Ready,
  type Role,
} from './core/index.js'
import {EntryType, MsgType} from './core/types.js'
import type {PersistBatch, RaftStore} from '../../store/raft/types.js'
import type {Fsm} from './fsm.js'
import type {RaftTransport} from './transport.js'

/**
 * Why a RaftNode request failed (the driver's one error type):
 * - 'not-leader': this node cannot take it; `leader` names the leader when known.
 * - 'leadership-lost': leadership changed before the entry was applied; it may or may
 *   not have been committed (like hashicorp/raft's ErrLeadershipLost).
 * - 'busy': the leader refused for now (a membership change is pending, or a
 *   leadership transfer is in progress); retry later.
 * - 'storage': the durable write of this request failed; nothing was applied.
 * - 'timeout': no outcome within the request timeout; it may still be applied later.
 * - 'stopped': the node stopped before the outcome was known.
 * - 'failed': the node stopped itself after an error it cannot recover from in place (an
 *   fsync failure, a broken invariant); the agent must be restarted.
 * - 'invalid': the request itself is malformed (e.g. an empty command).
 */
export type RaftErrorCode = 'not-leader' | 'leadership-lost' | 'busy' | 'storage' | 'timeout' | 'stopped' | 'failed' | 'invalid'

export class RaftError extends Error {
  override readonly name = 'RaftError'

  constructor(
    readonly code: RaftErrorCode,
    message: string,
    /** For 'not-leader': the current leader's id, '' when unknown. */
    readonly leader: NodeId = '',
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}

export interface RaftNodeOptions {
  id: NodeId
  /** Wall time of one core tick (default 100). */
  tickMs?: number
  /** Election timeout in ticks, randomised in [n, 2n) (default 10). */
  electionTicks?: number
  /** Leader heartbeat interval in ticks (default 1). */
  heartbeatTicks?: number
  /** Take a snapshot once this many entries were applied since the last one (default 16384). */
  snapshotThreshold?: number
  /**
   * Consul's raft_snapshot_interval: the threshold is checked at most once per interval
   * (jittered between 1× and 2×), so a busy server dumps its state every 30–60 s rather
   * than every `snapshotThreshold` entries. 0 (default) checks after every apply.
   */
  snapshotIntervalMs?: number
  /** Entries kept in the log behind a snapshot for slow followers (default 10240). */
  trailingLogs?: number
  /** Seeds the initial membership when the store is empty (every initial server passes the same voters). */
  bootstrap?: {voters: NodeId[]}
  /** How long propose/verifyLeader/membership requests wait for an outcome (default 30000). */
  requestTimeoutMs?: number
  /**
   * Bound on how far any server's clock rate may differ from real time (0.1 = up to 10%
   * fast or slow). The leader read lease (hasLease/leaseRead) is only as safe as this
   * bound; it shortens the lease to (electionTicks - 1) ticks × (1 - b) / (1 + b). Default 0.1.
   */
  clockDriftBound?: number
  log: Logger
}

export interface RaftNodeDeps {
  env: Env
  /** Owned by the caller: stop() does not close it. */
  store: RaftStore
  fsm: Fsm
  /** Owned by the caller: stop() stops listening but does not close it. */
  transport: RaftTransport
}

export interface RaftConfiguration {
  servers: {id: NodeId; voter: boolean}[]
  /** Index of the latest membership change applied (or of the snapshot it came from). */
  index: number
}

interface Pending {
  term: number
  deadlineMs: number
  resolve(v: {index: number; result: unknown}): void
  reject(e: RaftError): void
}

/** A command waiting to be forwarded to the leader, or for the leader's answer. */
interface ForwardItem {
  data: Uint8Array
  resolve(v: {index: number; result: unknown}): void
  reject(e: RaftError): void
}

/** Commands sent to the leader in one MsgProp, until its answer says where they went. */
interface Forwarded {
  items: ForwardItem[]
  deadlineMs: number
}

/** Bytes of commands per forwarded MsgProp (a burst of large values goes as several). */
const FORWARD_BATCH_BYTES = 1 << 20

interface PendingRead {
  /** Known once the leader confirmed it (Ready.readStates). */
  index?: number
  deadlineMs: number
  resolve(index: number): void
  reject(e: RaftError): void
}

/** Messages a Ready may send before its own sync (see handleDeferred). */
const EARLY: ReadonlySet<MsgType> = new Set([MsgType.App, MsgType.Heartbeat, MsgType.Prop, MsgType.PropResp])

/** Readies processed per turn before yielding to I/O (a burst of traffic cannot starve timers). */
const READY_BATCHES_PER_TURN = 64

/**
 * The Raft driver: runs a RawNode on env timers and carries out each Ready in order —
 * persist (one store transaction), send, apply (snapshot, then committed entries), advance.
 * Proposals made in one turn land in one Ready, so a burst costs one fsync.
 *
 * Failures: a store error rejects the proposals of that Ready with 'storage', applies
 * nothing from it, and rebuilds the core from the store's durable state (the node keeps
 * running as a follower and re-elects). An FSM or core invariant error stops the node:
 * it cannot skip an entry without diverging from its peers.
 */
export class RaftNode {
  private readonly env: Env
  private readonly store: RaftStore
  private readonly fsm: Fsm
  private readonly transport: RaftTransport
  private readonly log: Logger
  readonly id: NodeId
  private readonly tickMs: number
  private readonly electionTicks: number
  private readonly heartbeatTicks: number
  private readonly snapshotThreshold: number
  private readonly snapshotIntervalMs: number
  private nextSnapshotCheckMs = 0
  private readonly trailingLogs: number
  private readonly requestTimeoutMs: number
  private readonly bootstrapVoters: NodeId[] | undefined
  /** Monotonic ms a heartbeat acknowledgement keeps the read lease (see hasLease). */
  private readonly leaseMs: number

  private core: RawNode | undefined
  private state: 'new' | 'running' | 'stopped' = 'new'
  private ticker: TimerHandle | undefined
  private readyScheduled = false
  /** A Ready's entries are written and their sync is running (see handle); no new Ready until it ends. */
  private awaitingDisk = false
  /** While awaitingDisk: the term durable on this disk (the Ready being synced may carry a newer one). */
  private durableTerm = 0
  /** Why the node stopped itself (see fatal); requests then fail with it. */
  private failure: RaftError | undefined
  private campaignOnTick = false

  private applied = 0
  private appliedTerm = 0
  private snapshotIndex = 0
  private snapshotTerm = 0
  private conf: ConfState = {voters: [], learners: []}
  private confIndex = 0
  private leaderId: NodeId = ''
  private role: Role = 'follower'
  private lastContactAtMs = -1
  private readonly pending = new Map<number, Pending>()
  private readonly reads = new Map<string, PendingRead>()
  private readSeq = 0
  /** Commands to forward at the end of this turn (one MsgProp for all of them). */
  private forwardQueue: ForwardItem[] = []
  /** Forwarded MsgProps by context, until the leader answers. */
  private readonly forwards = new Map<string, Forwarded>()
  private forwardSeq = 0
  private readonly incarnation: string
  private readonly leaderWatchers = new Set<(leader: NodeId | '') => void>()
  private readonly waitsSnapshotStatus: boolean
  /** When a message last arrived from each peer (monotonic ms), for peers(). */
  private readonly heardFrom = new Map<NodeId, number>()

  constructor(deps: RaftNodeDeps, opts: RaftNodeOptions) {
    this.env = deps.env
    this.store = deps.store
    this.fsm = deps.fsm
    this.transport = deps.transport
    this.log = opts.log
    this.id = opts.id
    this.tickMs = opts.tickMs ?? 100
    this.electionTicks = opts.electionTicks ?? 10
    this.heartbeatTicks = opts.heartbeatTicks ?? 1
    this.snapshotThreshold = opts.snapshotThreshold ?? 16384
    this.snapshotIntervalMs = opts.snapshotIntervalMs ?? 0
    this.trailingLogs = opts.trailingLogs ?? 10240
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.bootstrapVoters = opts.bootstrap?.voters
    const drift = opts.clockDriftBound ?? 0.1
    if (!(drift >= 0 && drift < 1)) throw new RaftError('invalid', `clockDriftBound must be in [0, 1), got ${drift}`)
    // A follower's first tick after a heartbeat may come at once: it is sticky for at least
    // electionTicks - 1 of its ticks, which run up to (1 + drift) fast; ours up to (1 - drift) slow.
    this.leaseMs = ((this.electionTicks - 1) * this.tickMs * (1 - drift)) / (1 + drift)
    this.waitsSnapshotStatus = typeof this.transport.onSnapshotStatus === 'function'
    // The wall clock at start (not a random draw: the simulator's seeds keep their streams).
    this.incarnation = Math.floor(this.env.clock.wallMs()).toString(36)
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /**
   * Restores the newest snapshot into the FSM, replays the committed log into it, then
   * starts ticking. A lone voter campaigns at once and is leader when this returns.
   * Throws (RaftStoreError, core RaftError) when the durable state cannot be loaded.
   */
  start(): void {
    if (this.state !== 'new') throw new RaftError('invalid', 'start() called twice')
    this.maybeBootstrap()
    const snap = this.store.latestSnapshot()
    if (snap) {
      this.fsm.restore(snap.data, snap.meta.index, snap.meta.term)
      this.applied = this.snapshotIndex = this.confIndex = snap.meta.index
      this.appliedTerm = this.snapshotTerm = snap.meta.term
    }
    this.core = this.buildCore()
    this.state = 'running'
    try {
      this.drainAll() // replay committed entries before serving anything
      if (this.isLoneVoter()) {
        this.core.campaign()
        this.drainAll()
      }
    } catch (err) {
      this.stop()
      throw err
    }
    this.transport.onMessage((m) => this.receive(m))
    this.transport.onUnreachable?.((to) => this.whenRunning(() => this.core!.reportUnreachable(to)))
    this.transport.onSnapshotStatus?.((to, ok) => this.whenRunning(() => this.core!.reportSnapshot(to, ok)))
    this.ticker = this.env.timers.every(this.tickMs, () => this.onTick())
    this.log.info('raft node started', {id: this.id, applied: this.applied, last_index: this.core.status().lastIndex, voters: this.conf.voters})
  }

  /** Why the node stopped itself ('failed'), if it did. */
  failed(): RaftError | undefined {
    return this.failure
  }

  /** Stops ticking and ignores further messages; pending requests reject with 'stopped'. Idempotent. */
  stop(): void {
    if (this.state === 'stopped') return
    this.state = 'stopped'
    this.ticker?.cancel()
    this.failAll(this.failure ?? new RaftError('stopped', 'raft node stopped'))
    this.setLeader('', 'follower')
  }

  // ---- requests ----------------------------------------------------------------------

  /**
   * Replicates `data` as a command. Resolves once the entry is durably committed and
   * applied locally, with the FSM's return value. Data must be non-empty (an empty
   * entry is the leader's no-op). The caller must not mutate data afterwards.
   */
  propose(data: Uint8Array, opts?: {forward?: boolean}): Promise<{index: number; result: unknown}> {
    if (!(data instanceof Uint8Array) || data.byteLength === 0) return Promise.reject(new RaftError('invalid', 'a command must be non-empty bytes'))
    if (opts?.forward && this.state === 'running' && this.role !== 'leader') return this.forward(data)
    return this.submit(() => this.core!.propose(data))
  }

  /**
   * On a follower, propose(data, {forward: true}): the command goes to the leader inside
   * the Raft stream (etcd's proposal forwarding), batched per event-loop turn. The
   * leader answers with the entry's index and term, and the promise resolves when this
   * node applies that entry, with its own FSM's result (the same on every server). It
   * rejects with 'not-leader' when surely nothing was appended (no leader known, or the
   * leader refused), and with 'leadership-lost' or 'timeout' when the outcome is unknown.
   */
  private forward(data: Uint8Array): Promise<{index: number; result: unknown}> {
    if (this.leaderId === '') return Promise.reject(new RaftError('not-leader', 'no known leader', ''))
    return new Promise((resolve, reject) => {
      if (this.forwardQueue.length === 0) this.env.timers.defer(() => this.flushForwards())
      this.forwardQueue.push({data, resolve, reject})
    })
  }

  private flushForwards(): void {
    const queue = this.forwardQueue
    this.forwardQueue = []
    if (queue.length === 0) return
    const refused = this.state !== 'running' ? this.refusal() : undefined
    if (refused) {
      for (const it of queue) it.reject(refused)
      return
    }
    for (let start = 0; start < queue.length; ) {
      let end = start + 1
      let bytes = queue[start]!.data.byteLength
      while (end < queue.length && bytes + queue[end]!.data.byteLength <= FORWARD_BATCH_BYTES) bytes += queue[end++]!.data.byteLength
      const items = queue.slice(start, end)
      start = end
      // A core error below may have stopped the node (fatal): what is left gets its reason.
      if (this.state !== 'running') {
        for (const it of items) it.reject(this.failure ?? new RaftError('stopped', 'raft node stopped'))
        continue
      }
      // Unique across restarts too: the leader drops a context it has seen (a duplicate).
      const context = `${this.id}/${this.incarnation}/${++this.forwardSeq}`
      this.forwards.set(context, {items, deadlineMs: this.env.clock.nowMs() + this.requestTimeoutMs})
      try {
        this.core!.forwardProposal(items.map((it) => it.data), context)
      } catch (err) {
        this.forwards.delete(context)
        const e = this.mapCoreError(err)
        for (const it of items) it.reject(e)
      }
    }
    this.schedule()
  }

  /** The leader's answer to a forwarded MsgProp: its entries now wait to be applied, as the leader's own do. */
  private onProposalResult(res: ProposalResult): void {
    const f = this.forwards.get(res.context)
    if (!f) return
    this.forwards.delete(res.context)
    if (res.rejected) {
      for (const it of f.items) it.reject(new RaftError('not-leader', 'the leader refused the write for now (nothing was applied)', this.leaderId))
      return
    }
    f.items.forEach((it, k) => {
      const index = res.index + k
      // Applied before the answer came: whose entry it was cannot be told any more.
      if (index <= this.applied) {
        it.reject(new RaftError('leadership-lost', `entry ${index} was applied before the leader's answer arrived; the write's outcome is unknown`))
        return
      }
      this.pending.get(index)?.reject(new RaftError('leadership-lost', `entry ${index} was replaced by another leader's entry`))
      this.pending.set(index, {term: res.term, deadlineMs: f.deadlineMs, resolve: it.resolve, reject: it.reject})
    })
  }

  /** Forwards still waiting for the leader's answer: with a new leader, that answer will not come. */
  private abandonForwards(err: RaftError): void {
    for (const [ctx, f] of this.forwards) {
      this.forwards.delete(ctx)
      for (const it of f.items) it.reject(err)
    }
  }

  /** Adds (or promotes) a voter; resolves with the index of the applied change. */
  addVoter(id: NodeId, context?: string): Promise<number> {
    const cc: ConfChange = {type: 'addVoter', node: id}
    if (context !== undefined) cc.context = context
    return this.submit(() => this.core!.proposeConfChange(cc)).then((r) => r.index)
  }

  /**
   * Adds a server that replicates but does not vote (hashicorp raft's AddNonvoter, a
   * learner in the core); autopilot promotes it with addVoter once it is healthy.
   */
  addNonvoter(id: NodeId): Promise<number> {
    return this.submit(() => this.core!.proposeConfChange({type: 'addLearner', node: id})).then((r) => r.index)
  }

  /** Removes a server from the membership; resolves with the index of the applied change. */
  removeServer(id: NodeId): Promise<number> {
    return this.submit(() => this.core!.proposeConfChange({type: 'removeNode', node: id})).then((r) => r.index)
  }

  /**
   * ReadIndex: confirms with a quorum that this node is still the leader, then resolves
   * with the commit index at the time of the request once it has been applied locally.
   * A read of local state after that is linearizable.
   */
  verifyLeader(): Promise<number> {
    const refused = this.refusal()
    if (refused) return Promise.reject(refused)
    const context = `${this.id}/${++this.readSeq}`
    return new Promise<number>((resolve, reject) => {
      this.reads.set(context, {deadlineMs: this.env.clock.nowMs() + this.requestTimeoutMs, resolve, reject})
      try {
        this.core!.readIndex(context)
      } catch (err) {
        this.reads.delete(context)
        reject(this.mapCoreError(err))
        return
      }
      this.schedule()
    })
  }

  /**
   * Leader read lease: true while a voter quorum echoed a heartbeat sent less than the
   * lease time ago (by the monotonic clock), a MsgTimeoutNow was not sent this term, and
   * an entry of this term is committed. No other leader can have been elected meanwhile,
   * provided clock rates stay within clockDriftBound; local state read after applying
   * through the current commit index is then linearizable.
   */
  hasLease(): boolean {
    if (!this.isLeader()) return false
    const stamp = this.core!.leaseStamp()
    return stamp !== undefined && this.env.clock.nowMs() - stamp < this.leaseMs
  }

  /**
   * Consul's default (leader) read mode made linearizable: with the lease, resolves once
   * the commit index of now is applied (no network round); without it, falls back to
   * verifyLeader() (a ReadIndex quorum round). Rejects like verifyLeader.
   */
  leaseRead(): Promise<number> {
    if (!this.hasLease()) return this.verifyLeader()
    const index = this.core!.status().commit
    if (index <= this.applied) return Promise.resolve(index)
    const context = `${this.id}/lease/${++this.readSeq}`
    return new Promise<number>((resolve, reject) => {
      this.reads.set(context, {index, deadlineMs: this.env.clock.nowMs() + this.requestTimeoutMs, resolve, reject})
    })
  }

  /**
   * Asks the leader to hand leadership to voter `to` (it catches `to` up, then lets it
   * campaign at once). Fire-and-forget: watch onLeaderChange for the outcome.
   */
  transferLeadership(to: NodeId): void {
    const refused = this.refusal()
    if (refused) throw refused
    try {
      this.core!.transferLeadership(to)
    } catch (err) {
      throw this.mapCoreError(err)
    }
    this.schedule()
  }

  /**
   * Bootstraps a running node that has no Raft state yet with `voters` (bootstrap_expect
   * reached). Returns false, changing nothing, when the node already has state: it has a
   * log, a snapshot, or has heard of a term from a cluster that exists already.
   */
  bootstrapCluster(voters: NodeId[]): boolean {
    if (this.state !== 'running') throw new RaftError('stopped', 'raft node is not running')
    const st = this.core!.status()
    if (st.lastIndex !== 0 || st.term !== 0 || st.commit !== 0 || this.store.latestSnapshot()) return false
    this.store.persist({snapshot: bootstrapSnapshot(voters), entries: []})
    const snap = this.store.latestSnapshot()!
    this.fsm.restore(snap.data, snap.meta.index, snap.meta.term)
    this.applied = this.snapshotIndex = this.confIndex = snap.meta.index
    this.appliedTerm = this.snapshotTerm = snap.meta.term
    this.core = this.buildCore()
    this.log.info('bootstrapped raft membership', {voters})
    if (this.isLoneVoter()) this.core.campaign()
    this.schedule()
    return true
  }

  // ---- observation -------------------------------------------------------------------

  /**
   * Leader only: each other server's replication state and the milliseconds since a
   * message from it arrived (-1 if never) — what autopilot's health needs. {} elsewhere.
   */
  peers(): Record<NodeId, {match: number; lastContactMs: number}> {
    const prs = this.isLeader() ? this.core!.status().progress : undefined
    const out: Record<NodeId, {match: number; lastContactMs: number}> = {}
    if (!prs) return out
    const now = this.env.clock.nowMs()
    for (const [id, pr] of Object.entries(prs)) {
      if (id === this.id) continue
      const at = this.heardFrom.get(id)
      out[id] = {match: pr.match, lastContactMs: at === undefined ? -1 : Math.max(0, now - at)}
    }
    return out
  }

  isLeader(): boolean {
    return this.state === 'running' && this.role === 'leader'
  }

  /** Has a log, a snapshot or a term: this server is, or was, part of a cluster. */
  hasState(): boolean {
    if (this.state !== 'running') return this.store.lastIndex() > 0 || !!this.store.latestSnapshot()
    const st = this.core!.status()
    return st.lastIndex !== 0 || st.term !== 0 || !!this.store.latestSnapshot()
  }

  /** Term of the local log entry at index; 0 when compacted away or past the end (autopilot's LastTerm of a follower at its match index). */
  termAt(index: number): number {
    if (index <= 0) return 0
    try {
      return this.store.term(index)
    } catch {
      return 0
    }
  }

  leader(): NodeId | '' {
    return this.state === 'running' ? this.leaderId : ''
  }

  /** Milliseconds since the last message from a leader: 0 on the leader, -1 if never. */
  lastContactMs(): number {
    if (this.isLeader()) return 0
    if (this.lastContactAtMs < 0) return -1
    return Math.max(0, this.env.clock.nowMs() - this.lastContactAtMs)
  }

  configuration(): RaftConfiguration {
    return {
      servers: [...this.conf.voters.map((id) => ({id, voter: true})), ...this.conf.learners.map((id) => ({id, voter: false}))],
      index: this.confIndex,
    }
  }

  /** Called with the new leader id ('' = none known) whenever it changes. Returns an unsubscribe function. */
  onLeaderChange(cb: (leader: NodeId | '') => void): () => void {
    this.leaderWatchers.add(cb)
    return () => this.leaderWatchers.delete(cb)
  }

  /** Consul's /v1/agent/self Stats.raft (hashicorp/raft Stats()), all values strings. */
  stats(): Record<string, string> {
    const s = this.core?.status()
    const last = s?.lastIndex ?? 0
    let lastTerm = 0
    try {
      lastTerm = last > 0 ? this.store.term(Math.min(last, this.store.lastIndex())) : 0
    } catch {
      lastTerm = s?.term ?? 0
    }
    const contact = this.lastContactMs()
    return {
      state: this.state === 'stopped' ? 'Shutdown' : stateName(this.role),
      term: String(s?.term ?? 0),
      last_log_index: String(last),
      last_log_term: String(lastTerm),
      commit_index: String(s?.commit ?? 0),
      applied_index: String(this.applied),
      fsm_pending: '0',
      last_snapshot_index: String(this.snapshotIndex),
      last_snapshot_term: String(this.snapshotTerm),
      latest_configuration: `[${this.configuration()
        .servers.map((v) => `{Suffrage:${v.voter ? 'Voter' : 'Nonvoter'} ID:${v.id} Address:}`)
        .join(' ')}]`,
      latest_configuration_index: String(this.confIndex),
      num_peers: String(this.conf.voters.filter((v) => v !== this.id).length),
      last_contact: this.isLeader() ? '0' : contact < 0 ? 'never' : goDuration(contact),
      protocol_version: '3',
      protocol_version_min: '0',
      protocol_version_max: '3',
      snapshot_version_min: '0',
      snapshot_version_max: '1',
    }
  }

  // ---- internals: inputs -------------------------------------------------------------

  private maybeBootstrap(): void {
    if (!this.bootstrapVoters) return
    const empty = this.store.lastIndex() === 0 && !this.store.latestSnapshot() && this.store.initialState().hardState.term === 0
    if (!empty) return
    this.store.persist({snapshot: bootstrapSnapshot(this.bootstrapVoters), entries: []})
    this.log.info('bootstrapped raft membership', {voters: this.bootstrapVoters})
  }

  private buildCore(): RawNode {
    const core = new RawNode({
      id: this.id,
      storage: this.store,
      electionTicks: this.electionTicks,
      heartbeatTicks: this.heartbeatTicks,
      randomInt: (n) => this.env.random.int(n),
      applied: this.applied,
      // A restarted voter must not help elect a leader while our read lease may still stand.
      leaseOnStart: true,
    })
    this.conf = core.status().conf
    this.awaitingDisk = false
    return core
  }

  private isLoneVoter(): boolean {
    return this.conf.voters.length === 1 && this.conf.voters[0] === this.id
  }

  private receive(m: Message): void {
    this.whenRunning(() => {
      this.heardFrom.set(m.from, this.env.clock.nowMs())
      if (m.type === MsgType.App || m.type === MsgType.Heartbeat || m.type === MsgType.Snap) this.lastContactAtMs = this.env.clock.nowMs()
      this.core!.step(m)
    })
  }

  private onTick(): void {
    this.whenRunning(() => {
      if (this.campaignOnTick) {
        this.campaignOnTick = false
        if (this.isLoneVoter()) this.core!.campaign()
      }
      this.core!.tick()
      this.heartbeatWhileSyncing()
      this.expire()
    })
  }

  /**
   * A leader whose Ready waits on its disk still sends its heartbeats (hashicorp/raft sends
   * them from their own goroutine): a disk slower than the election timeout would otherwise
   * cost it leadership, the followers electing a new leader whose disk is no faster.
   */
  private heartbeatWhileSyncing(): void {
    if (!this.awaitingDisk || this.role !== 'leader') return
    // Only at a term already durable here (the Ready being synced may be the one that raised it).
    if (this.durableTerm !== this.core!.status().term) return
    const beats = this.core!.takeHeartbeats()
    if (beats.length > 0) this.send(beats)
  }

  /** Runs fn against the core if running; core invariant failures stop the node. */
  private whenRunning(fn: () => void): void {
    if (this.state !== 'running') return
    try {
      fn()
    } catch (err) {
      this.fatal(err)
      return
    }
    this.schedule()
  }

  private submit(propose: () => void): Promise<{index: number; result: unknown}> {
    const refused = this.refusal()
    if (refused) return Promise.reject(refused)
    const core = this.core!
    const before = core.tail().lastIndex
    try {
      propose()
    } catch (err) {
      return Promise.reject(this.mapCoreError(err))
    }
    const {lastIndex: index, term} = core.tail()
    if (index !== before + 1) return Promise.reject(new RaftError('busy', 'proposal was not appended'))
    this.schedule()
    return new Promise((resolve, reject) => {
      this.pending.set(index, {term, deadlineMs: this.env.clock.nowMs() + this.requestTimeoutMs, resolve, reject})
    })
  }

  /** The error for a request this node cannot take right now, if any. */
  private refusal(): RaftError | undefined {
    if (this.state !== 'running') return this.failure ?? new RaftError('stopped', this.state === 'new' ? 'raft node not started' : 'raft node stopped')
    if (this.role !== 'leader') return new RaftError('not-leader', 'node is not the leader', this.leaderId)
    return undefined
  }

  /** Maps a refusal from the core; anything else is a broken invariant and stops the node. */
  private mapCoreError(err: unknown): RaftError {
    if (err instanceof ProposalDroppedError) {
      if (this.core?.status().role !== 'leader') return new RaftError('not-leader', err.message, this.leaderId, {cause: err})
      return new RaftError('busy', err.message, '', {cause: err})
    }
    if (err instanceof CoreRaftError && err.kind === 'invalid-conf-change') return new RaftError('invalid', err.message, '', {cause: err})
    this.fatal(err)
    return this.failure!
  }

  // ---- internals: the Ready loop -----------------------------------------------------

  /** Processes Readies on the next turn, so everything proposed in this turn shares one. */
  private schedule(): void {
    if (this.readyScheduled || this.state !== 'running' || this.awaitingDisk) return
    this.readyScheduled = true
    this.env.timers.defer(() => {
      this.readyScheduled = false
      this.drain(READY_BATCHES_PER_TURN)
    })
  }

  /** Start-up: every Ready now, errors to the caller. */
  private drainAll(): void {
    while (this.state === 'running' && this.core!.hasReady()) this.handle(this.core!.ready(), false)
  }

  private drain(maxBatches: number): void {
    let n = 0
    try {
      while (this.state === 'running' && this.core!.hasReady()) {
        if (n++ >= maxBatches) {
          this.schedule()
          return
        }
        this.handle(this.core!.ready())
      }
    } catch (err) {
      this.fatal(err)
    }
  }

  /**
   * Carries out one Ready. A batch of new entries is written at once but, when the store
   * can (persistDeferred), made durable on the disk's time: the event loop keeps taking
   * requests and acks meanwhile, and the rest of the Ready (messages that claim
   * durability, applying, advance) runs once the sync is done. A leader's own MsgApp and
   * heartbeats leave before its disk syncs (Raft thesis §10.2.1, as etcd does): the core
   * counts the leader's own copy of an entry only at advance(), so nothing commits on a
   * copy that is not durable. A Ready that changes term or vote holds all its messages
   * until the sync. Snapshots and start-up stay synchronous.
   */
  private handle(rd: Ready, allowDefer = true): void {
    if (rd.hardState || rd.entries.length > 0 || rd.snapshot) {
      const batch: PersistBatch = {entries: rd.entries}
      // Only a commit-index-only batch may skip the fsync; an installed snapshot must be durable.
      if (!rd.mustSync && !rd.snapshot) batch.sync = false
      if (rd.hardState) batch.hardState = rd.hardState
      if (rd.snapshot) batch.snapshot = rd.snapshot
      if (allowDefer && rd.mustSync && !rd.snapshot && this.store.persistDeferred) {
        this.handleDeferred(rd, batch)
        return
      }
      try {
        this.store.persist(batch)
      } catch (err) {
        this.storageFailed(rd, err)
        return
      }
    }
    this.finish(rd, rd.messages)
  }

  private handleDeferred(rd: Ready, batch: PersistBatch): void {
    const core = this.core!
    // Early: a leader's appends and heartbeats of a term (and vote) already durable here. The
    // previous Ready's sync ended before this Ready existed, so what the store holds is durable.
    const hs = rd.hardState
    const prev = this.store.initialState().hardState
    const termDurable = !hs || (hs.term === prev.term && hs.vote === prev.vote)
    this.durableTerm = prev.term
    const early: Message[] = []
    const held: Message[] = []
    // A forwarded proposal and the leader's answer to one claim nothing about this disk either.
    for (const m of rd.messages) (termDurable && EARLY.has(m.type) ? early : held).push(m)
    // Committed entries are durable on a quorum already (the core counts this server's own
    // copy only at advance), so they apply and answer their callers now, not one fsync
    // later. Except a membership change: the core counts it applied only at advance, and a
    // change proposed in between (the leader re-adding a server it just removed) would be
    // refused as "not applied yet"; such a Ready applies after the sync, as before.
    const applyNow = !rd.committedEntries.some((e) => e.type === EntryType.ConfChange)
    try {
      this.store.persistDeferred!(batch, (err) => {
        // Stopped, failed or rebuilt meanwhile: this Ready belongs to a core that is gone.
        if (this.state !== 'running' || this.core !== core) return
        this.awaitingDisk = false
        if (err) {
          this.fatal(err)
          return
        }
        try {
          if (!applyNow) this.apply(rd)
          this.complete(rd, held)
        } catch (e) {
          this.fatal(e)
          return
        }
        this.schedule()
      })
    } catch (err) {
      this.storageFailed(rd, err)
      return
    }
    this.awaitingDisk = true
    if (early.length > 0) this.send(early)
    if (applyNow) this.apply(rd)
  }

  /** Sync path: the whole Ready after its persist. */
  private finish(rd: Ready, messages: Message[]): void {
    if (messages.length > 0) this.send(messages)
    this.apply(rd)
    this.complete(rd, [])
  }

  /** Applies a Ready's snapshot and committed entries, and notes its leader and read states. */
  private apply(rd: Ready): void {
    if (rd.snapshot) this.installSnapshot(rd)
    // Before the entries: an answer and the entries it names may come in one Ready.
    if (rd.proposals) for (const res of rd.proposals) this.onProposalResult(res)
    for (const e of rd.committedEntries) this.applyEntry(e)
    // After applying: proposals committed before a step-down still resolve.
    if (rd.softState) this.setLeader(rd.softState.leader, rd.softState.role)
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.context)
      if (r) r.index = rs.index
    }
    this.resolveReads()
  }

  /** The part that needs the Ready durable: acknowledgements and votes leave, the core advances. */
  private complete(rd: Ready, messages: Message[]): void {
    if (messages.length > 0) this.send(messages)
    this.core!.advance(rd)
    this.maybeSnapshot()
  }

  private send(msgs: Message[]): void {
    // Stamp heartbeats as they leave: the echo tells the leader when the follower last heard from it.
    const now = this.env.clock.nowMs()
    for (const m of msgs) if (m.type === MsgType.Heartbeat) m.stamp = now
    try {
      this.transport.send(msgs)
    } catch (err) {
      // Raft tolerates lost messages; a throwing transport is a bug worth a log line, not a stop.
      this.log.error('raft transport send failed', {error: (err as Error)?.message})
    }
    if (this.waitsSnapshotStatus) return
    // Without a transport report, a MsgSnap handed over counts as delivered; if it was
    // lost, the follower's next rejection brings the leader back to probing.
    for (const m of msgs) if (m.type === MsgType.Snap) this.core!.reportSnapshot(m.to, true)
  }

  private installSnapshot(rd: Ready): void {
    const snap = rd.snapshot!
    this.fsm.restore(snap.data, snap.meta.index, snap.meta.term)
    this.applied = this.snapshotIndex = this.confIndex = snap.meta.index
    this.appliedTerm = this.snapshotTerm = snap.meta.term
    this.conf = {voters: [...snap.meta.conf.voters], learners: [...snap.meta.conf.learners]}
    // Proposals at or below the snapshot were decided elsewhere; their outcome is unknown here.
    for (const [index, p] of this.pending) {
      if (index > snap.meta.index) continue
      this.pending.delete(index)
      p.reject(new RaftError('leadership-lost', 'entry was superseded by a snapshot'))
    }
    this.log.info('installed snapshot', {index: snap.meta.index, term: snap.meta.term})
  }

  private applyEntry(e: Entry): void {
    if (e.index <= this.applied) return
    let result: unknown
    const cc = confChangeOf(e)
    if (cc) {
      this.conf = this.core!.applyConfChange(cc)
      this.confIndex = e.index
      result = this.configuration()
      this.log.info('membership changed', {index: e.index, change: cc.type, node: cc.node, voters: this.conf.voters})
    } else if (e.type === EntryType.Normal && e.data.byteLength > 0) {
      result = this.fsm.apply(e.index, e.term, e.data)
    }
    this.applied = e.index
    this.appliedTerm = e.term
    const p = this.pending.get(e.index)
    if (!p) return
    this.pending.delete(e.index)
    if (p.term === e.term) p.resolve({index: e.index, result})
    else p.reject(new RaftError('leadership-lost', `entry ${e.index} was replaced by another leader's entry`))
  }

  private resolveReads(): void {
    for (const [ctx, r] of this.reads) {
      if (r.index === undefined || r.index > this.applied) continue
      this.reads.delete(ctx)
      r.resolve(r.index)
    }
  }

  private maybeSnapshot(): void {
    if (this.applied - this.snapshotIndex < this.snapshotThreshold) return
    if (this.snapshotIntervalMs > 0) {
      const now = this.env.clock.nowMs()
      if (now < this.nextSnapshotCheckMs) return
      this.nextSnapshotCheckMs = now + this.snapshotIntervalMs * (1 + this.env.random.float())
    }
    const index = this.applied
    try {
      const data = this.fsm.snapshot()
      this.store.saveSnapshot({meta: {index, term: this.appliedTerm, conf: {voters: [...this.conf.voters], learners: [...this.conf.learners]}}, data})
      this.snapshotIndex = index
      this.snapshotTerm = this.appliedTerm
      const keepFrom = index - this.trailingLogs
      if (keepFrom > this.store.firstIndex() - 1) this.store.compact(keepFrom)
      this.log.info('snapshot taken', {index, term: this.appliedTerm, first_index: this.store.firstIndex()})
    } catch (err) {
      // Not fatal: the log keeps growing and the next apply retries.
      this.log.error('snapshot failed', {index, error: (err as Error).message})
    }
  }

  // ---- internals: failures and bookkeeping -------------------------------------------

  private storageFailed(rd: Ready, err: unknown): void {
    const message = `raft storage write failed: ${(err as Error)?.message ?? String(err)}`
    this.log.error('raft storage write failed; rebuilding from durable state', {error: (err as Error)?.message})
    const first = rd.entries[0]?.index ?? Infinity
    for (const [index, p] of this.pending) {
      this.pending.delete(index)
      p.reject(index >= first ? new RaftError('storage', message, '', {cause: err}) : new RaftError('leadership-lost', 'leadership lost after a storage failure'))
    }
    for (const [ctx, r] of this.reads) {
      this.reads.delete(ctx)
      r.reject(new RaftError('leadership-lost', 'leadership lost after a storage failure'))
    }
    this.abandonForwards(new RaftError('leadership-lost', 'a storage failure interrupted the forwarded write; its outcome is unknown'))
    // The core advanced past what is durable: replace it by one loaded from the store. The
    // FSM is still exactly at `applied` (nothing from rd was applied), and the durable
    // commit covers it because every applied entry's commit was persisted first.
    this.core = this.buildCore()
    this.setLeader('', 'follower')
    this.campaignOnTick = true
  }

  private setLeader(leader: NodeId, role: Role): void {
    const wasLeader = this.role === 'leader'
    this.role = role
    if (wasLeader && role !== 'leader') {
      for (const [index, p] of this.pending) {
        this.pending.delete(index)
        p.reject(new RaftError('leadership-lost', 'leadership lost while committing log'))
      }
      for (const [ctx, r] of this.reads) {
        this.reads.delete(ctx)
        r.reject(new RaftError('leadership-lost', 'leadership lost before the read was confirmed'))
      }
    }
    if (leader === this.leaderId) return
    this.abandonForwards(new RaftError('leadership-lost', 'the leader changed before it answered; the write may or may not have been applied'))
    this.leaderId = leader
    if (leader !== '' && leader !== this.id) this.lastContactAtMs = this.env.clock.nowMs()
    this.log.info(leader === '' ? 'no known leader' : leader === this.id ? 'entering leader state' : 'new leader', {leader, term: this.core?.status().term})
    for (const cb of this.leaderWatchers) {
      try {
        cb(leader)
      } catch (err) {
        this.log.error('leader change callback failed', {error: (err as Error).message})
      }
    }
  }

  private expire(): void {
    const now = this.env.clock.nowMs()
    for (const [index, p] of this.pending) {
      if (p.deadlineMs > now) continue
      this.pending.delete(index)
      p.reject(new RaftError('timeout', `entry ${index} not applied within ${this.requestTimeoutMs}ms`))
    }
    for (const [ctx, r] of this.reads) {
      if (r.deadlineMs > now) continue
      this.reads.delete(ctx)
      r.reject(new RaftError('timeout', `read index not confirmed within ${this.requestTimeoutMs}ms`))
    }
    for (const [ctx, f] of this.forwards) {
      if (f.deadlineMs > now) continue
      this.forwards.delete(ctx)
      for (const it of f.items) it.reject(new RaftError('timeout', `the leader did not answer a forwarded write within ${this.requestTimeoutMs}ms; its outcome is unknown`))
    }
  }

  private failAll(err: RaftError): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    this.abandonForwards(err)
    for (const it of this.forwardQueue.splice(0)) it.reject(err)
    for (const r of this.reads.values()) r.reject(err)
    this.reads.clear()
  }

  private fatal(err: unknown): void {
    const message = (err as Error)?.message ?? String(err)
    this.log.error('raft node failed; stopping (restart the agent once the cause is fixed)', {error: message})
    this.failure ??= new RaftError('failed', `raft node failed: ${message}`, '', {cause: err})
    this.stop()
  }
}

function stateName(role: Role): string {
  return role === 'leader' ? 'Leader' : role === 'follower' ? 'Follower' : 'Candidate'
}

/** Formats milliseconds like Go's time.Duration.String() ("1.5ms", "2.003s", "1m4s"). */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6)
  if (ns === 0) return '0s'
  if (ns < 1e3) return `${ns}ns`
  const trim = (v: number, digits: number) => v.toFixed(digits).replace(/\.?0+$/, '')
  if (ns < 1e6) return `${trim(ns / 1e3, 3)}µs`
  if (ns < 1e9) return `${trim(ns / 1e6, 6)}ms`
  const totalS = ns / 1e9
  const h = Math.floor(totalS / 3600)
  const m = Math.floor((totalS - h * 3600) / 60)
  const s = trim(totalS - h * 3600 - m * 60, 9)
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}
