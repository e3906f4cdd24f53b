import {coalesceMessages} from './coalesce.js'
import {applyToConfState, cloneConfState, encodeConfChange} from './conf-change.js'
import type {RaftConfig} from './config.js'
import {RaftError} from './errors.js'
import type {ProgressState} from './progress.js'
import {Raft} from './raft.js'
import type {ConfChange, ConfState, HardState, Message, NodeId, Ready, Role, SoftState} from './types.js'
import {EntryType, MsgType} from './types.js'

/** A snapshot of the node's state for observers (operator commands, autopilot, tests). */
export interface Status {
  id: NodeId
  term: number
  vote: NodeId
  commit: number
  applied: number
  lead: NodeId
  role: Role
  /** Leader only: each member's replication progress (self included). */
  progress?: Record<NodeId, {match: number; next: number; state: ProgressState}>
  conf: ConfState
  lastIndex: number
}

/** Message types only the local node may produce; from the network they are ignored. */
const LOCAL_ONLY: ReadonlySet<MsgType> = new Set([MsgType.Hup, MsgType.Beat, MsgType.Prop, MsgType.SnapStatus, MsgType.Unreachable])

/**
 * The driver-facing Raft node (etcd's RawNode): synchronous, single-threaded, no I/O.
 *
 * Loop the driver runs (see Ready in types.ts for the exact contract):
 *   tick() every tick interval; step(m) for every message received; propose()/... for
 *   local intent; then while hasReady(): rd = ready(); persist; send; apply; advance(rd).
 *
 * One Ready at a time: ready() throws RaftError('ready-misuse') until the previous one is
 * advanced, and hasReady() is false meanwhile. Between ready() and advance() the driver
 * may still call tick/step/propose; their effects wait for the next Ready.
 *
 * Local requests throw ProposalDroppedError when they cannot be taken (not leader, no
 * leader known, transfer in progress, conf change pending). Acceptance is not commitment:
 * the driver learns the outcome from committedEntries (match by index/term) and must time
 * out requests whose entry never shows up (e.g. lost with a leadership change).
 */
export class RawNode {
  private readonly raft: Raft
  private prevSoft: SoftState
  private prevHard: HardState
  private outstanding: {rd: Ready; selfMsgs: Message[]} | undefined

  constructor(cfg: RaftConfig) {
    this.raft = new Raft(cfg)
    this.prevSoft = this.softState()
    this.prevHard = this.raft.hardState()
  }

  tick(): void {
    this.raft.tick()
  }

  /**
   * Feeds one message received from another node. Local-only types and term-0 messages
   * are ignored, as are messages addressed to someone else. Never throws for a
   * well-formed message except RaftError('invariant') on a corrupt log.
   */
  step(m: Message): void {
    if (m.term === 0 || m.to !== this.raft.id) return
    if (LOCAL_ONLY.has(m.type) && !isForwardedProposal(m)) return
    this.raft.step(m)
  }

  /**
   * Follower: sends proposals to the leader (etcd's proposal forwarding) instead of
   * refusing them. `context` must be unique among this node's outstanding forwards; the
   * leader's answer appears in a later Ready's `proposals`: where the entries went, or a
   * refusal. No answer comes when the message or the answer is lost or leadership moved
   * meanwhile: the driver must give up on a leader change or a timeout, the outcome then
   * unknown. Throws ProposalDroppedError when no leader is known. On a leader this is
   * propose() with the answer in `proposals`.
   */
  forwardProposal(data: Uint8Array[], context: string): void {
    if (data.length === 0 || data.some((d) => d.byteLength === 0)) throw new RaftError('invariant', 'a forwarded proposal needs non-empty commands')
    const entries = data.map((d) => ({index: 0, term: 0, type: EntryType.Normal, data: d}))
    this.raft.step({type: MsgType.Prop, from: this.raft.id, to: this.raft.id, term: 0, entries, context})
  }

  /**
   * Leader only: appends data as a Normal entry and replicates it. Empty data is what the
   * leader's own no-op looks like; drivers should not propose it.
   */
  propose(data: Uint8Array): void {
    this.raft.step({type: MsgType.Prop, from: this.raft.id, to: this.raft.id, term: 0, entries: [{index: 0, term: 0, type: EntryType.Normal, data}]})
  }

  /**
   * Leader only: proposes a single-server membership change. Only one may be pending (not
   * yet applied) at a time; it takes effect on each node when the driver applies the
   * committed entry and calls applyConfChange. Removing the last voter is refused.
   */
  proposeConfChange(cc: ConfChange): void {
    const data = encodeConfChange(cc)
    if (applyToConfState(this.raft.conf, cc).voters.length === 0) {
      throw new RaftError('invalid-conf-change', `removing ${cc.node} would leave no voter`)
    }
    this.raft.step({type: MsgType.Prop, from: this.raft.id, to: this.raft.id, term: 0, entries: [{index: 0, term: 0, type: EntryType.ConfChange, data}]})
  }

  /**
   * Leader: hands over the heartbeats produced since the last Ready, removing them from the
   * next one, so a driver whose Ready waits on a slow disk can still send them: they claim
   * nothing about this node's disk (their commit is durable on a quorum already), and
   * without them followers would elect a new leader. The driver must send them only while
   * the current term is durable. [] on other roles.
   */
  takeHeartbeats(): Message[] {
    const r = this.raft
    if (r.role !== 'leader' || !r.msgs.some((m) => m.type === MsgType.Heartbeat)) return []
    const out: Message[] = []
    const rest: Message[] = []
    for (const m of r.msgs) (m.type === MsgType.Heartbeat ? out : rest).push(m)
    r.msgs = rest
    return out
  }

  /** Starts an election now (pre-vote first when enabled). A no-op for leaders and non-voters. */
  campaign(): void {
    this.raft.step({type: MsgType.Hup, from: this.raft.id, to: this.raft.id, term: 0})
  }

  /**
   * Requests a linearizable read point. Later, a Ready.readStates entry {index, context}
   * appears once leadership was confirmed: serve the read after applying through `index`.
   * Followers relay the request to the leader. Contexts must be unique among outstanding
   * requests. The answer can be lost (leader change, dropped message): time out and retry.
   */
  readIndex(context: string): void {
    this.raft.step({type: MsgType.ReadIndex, from: this.raft.id, to: this.raft.id, term: 0, context})
  }

  /**
   * Leader read lease: the oldest heartbeat stamp a voter quorum echoed this term, or
   * undefined (no lease: not leader, no commit in this term yet, or a transfer started).
   * See Raft.leaseStamp for what the driver may conclude from it.
   */
  leaseStamp(): number | undefined {
    return this.raft.leaseStamp()
  }

  /**
   * Asks the leader (directly or via this follower) to hand leadership to voter `to`: it
   * brings `to` up to date, then sends it MsgTimeoutNow. Proposals are refused meanwhile;
   * the attempt is abandoned after an election timeout.
   */
  transferLeadership(to: NodeId): void {
    this.raft.step({type: MsgType.TransferLeader, from: to, to: this.raft.id, term: 0})
  }

  /**
   * The driver calls this, in log order, for every committed ConfChange entry it applies
   * (confChangeOf(entry) decodes it). Returns the new membership, which the driver should
   * persist with its applied index so a restart sees it in storage.initialState().
   */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc)
  }

  /** The transport could not deliver to `id`: the leader stops streaming to it optimistically. */
  reportUnreachable(id: NodeId): void {
    this.raft.step({type: MsgType.Unreachable, from: id, to: this.raft.id, term: 0})
  }

  /**
   * Outcome of sending a MsgSnap to `id` (the transport reports when the transfer ends).
   * Until then the leader sends that follower nothing else.
   */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step({type: MsgType.SnapStatus, from: id, to: this.raft.id, term: 0, reject: !ok})
  }

  hasReady(): boolean {
    if (this.outstanding) return false
    const r = this.raft
    return (
      !sameSoft(this.softState(), this.prevSoft) ||
      !sameHard(r.hardState(), this.prevHard) ||
      r.log.hasPendingSnapshot() ||
      r.log.unstable.entries.length > 0 ||
      r.log.hasNextCommittedEntries() ||
      r.msgs.length > 0 ||
      r.msgsToSelf.length > 0 ||
      r.readStates.length > 0 ||
      r.proposalResults.length > 0
    )
  }

  /** The next batch of work; see Ready (types.ts) for what the driver must do with it. */
  ready(): Ready {
    if (this.outstanding) throw new RaftError('ready-misuse', 'ready() called again before advance()')
    const r = this.raft
    const hard = r.hardState()
    const soft = this.softState()
    const entries = r.log.unstableEntries()
    const rd: Ready = {
      entries,
      committedEntries: r.log.nextCommittedEntries(),
      messages: coalesceMessages(r.msgs, r.cfg.maxSizePerMsg),
      readStates: r.readStates,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    }
    if (!sameSoft(soft, this.prevSoft)) rd.softState = soft
    if (!sameHard(hard, this.prevHard)) rd.hardState = hard
    const snap = r.log.unstable.snapshot
    if (snap) rd.snapshot = snap
    if (r.proposalResults.length > 0) {
      rd.proposals = r.proposalResults
      r.proposalResults = []
    }
    this.prevSoft = soft
    this.prevHard = hard
    r.msgs = []
    r.readStates = []
    this.outstanding = {rd, selfMsgs: r.msgsToSelf}
    r.msgsToSelf = []
    return rd
  }

  /**
   * The driver finished rd: its state is durable, its messages sent, its snapshot and
   * committed entries applied. Only now does the node count its own vote and its own
   * log acknowledgement (this is what commits a single voter's entries).
   */
  advance(rd: Ready): void {
    if (!this.outstanding || this.outstanding.rd !== rd) throw new RaftError('ready-misuse', 'advance() without its ready()')
    const {selfMsgs} = this.outstanding
    this.outstanding = undefined
    const log = this.raft.log
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.meta.index)
      log.appliedTo(rd.snapshot.meta.index)
    }
    const last = rd.entries[rd.entries.length - 1]
    if (last) log.stableTo(last.index, last.term)
    const applied = rd.committedEntries[rd.committedEntries.length - 1]
    if (applied) log.appliedTo(applied.index)
    for (const m of selfMsgs) this.raft.step(m)
  }

  /** The last log index and the current term, without building a full status (per-proposal hot path). */
  tail(): {lastIndex: number; term: number} {
    return {lastIndex: this.raft.log.lastIndex(), term: this.raft.term}
  }

  status(): Status {
    const r = this.raft
    const s: Status = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lead: r.lead,
      role: r.role,
      conf: cloneConfState(r.conf),
      lastIndex: r.log.lastIndex(),
    }
    if (r.role === 'leader') {
      s.progress = {}
      for (const [id, pr] of r.prs) s.progress[id] = {match: pr.match, next: pr.next, state: pr.state}
    }
    return s
  }

  private softState(): SoftState {
    return {leader: this.raft.lead, role: this.raft.role}
  }
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

/** A follower's MsgProp for the leader: a context, and only non-empty commands (never a membership change). */
function isForwardedProposal(m: Message): boolean {
  return (
    m.type === MsgType.Prop &&
    typeof m.context === 'string' &&
    Array.isArray(m.entries) &&
    m.entries.length > 0 &&
    m.entries.every((e) => e.type === EntryType.Normal && e.data.byteLength > 0)
  )
}
