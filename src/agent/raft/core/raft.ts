import {applyToConfState, cloneConfState, decodeConfChange, isVoter, members} from './conf-change.js'
import {resolveConfig, type RaftConfig, type ResolvedConfig} from './config.js'
import {RaftError, invariant} from './errors.js'
import {RaftLog} from './log.js'
import {Progress} from './progress.js'
import {voteResult, type VoteResult} from './quorum.js'
import {ReadOnly} from './read-only.js'
import {commitAndBroadcast, sendAppend} from './replicate.js'
import {stepCandidate, stepFollower, tickElection} from './step-follower.js'
import {stepLeader, tickHeartbeat} from './step-leader.js'
import type {ConfChange, ConfState, Entry, HardState, Message, NodeId, ProposalResult, ReadState, Role, Snapshot} from './types.js'
import {EntryType, MsgType} from './types.js'

export type CampaignType = 'preElection' | 'election' | 'transfer'

/** Context of vote requests in a leadership-transfer election: receivers skip the lease check. */
export const CAMPAIGN_TRANSFER = 'transfer'

/** A message the node emits; `from` is filled in, `term` defaults to the current term. */
export type Outgoing = Omit<Message, 'from' | 'term'> & {term?: number}

type StepFn = (r: Raft, m: Message) => void
type TickFn = (r: Raft) => void

/**
 * The Raft state machine (etcd's `raft` struct): pure and synchronous. Inputs are step(m)
 * and tick(); outputs accumulate in `msgs`, `msgsToSelf`, `readStates` and the log's
 * unstable tail, which RawNode packs into a Ready. Role behaviour lives in the swapped
 * `stepFn`/`tickFn` (step-leader.ts, step-follower.ts); this file holds the state, the
 * role transitions and the rules common to every role (terms, votes, elections).
 *
 * Fields are public for the role and replication modules of this package; nothing outside
 * core/ should touch a Raft directly (use RawNode).
 */
export class Raft {
  readonly id: NodeId
  readonly cfg: ResolvedConfig
  readonly log: RaftLog
  term = 0
  /** Whom we voted for in `term` ('' = nobody). */
  vote: NodeId = ''
  /** The leader of `term` as far as we know ('' = unknown). */
  lead: NodeId = ''
  role: Role = 'follower'
  conf: ConfState
  /** Leader only: replication state per member (voters and learners, self included). */
  prs = new Map<NodeId, Progress>()
  /** (Pre-)candidate only: answers to our vote requests. */
  votes = new Map<NodeId, boolean>()
  /** Outgoing messages; sent only after the Ready that carries them is durable. */
  msgs: Message[] = []
  /**
   * Messages to ourselves (own vote, own append ack) that may only be counted once the
   * state they acknowledge is durable: RawNode steps them in advance().
   */
  msgsToSelf: Message[] = []
  readStates: ReadState[] = []
  /** Answers to proposals this node forwarded (see RawNode.forwardProposal). */
  proposalResults: ProposalResult[] = []
  /** Leader: contexts of the forwarded proposals seen lately, so a duplicated MsgProp is not appended twice. */
  readonly seenProposals = new Set<string>()
  readOnly = new ReadOnly()
  /** Leader: ReadIndex requests waiting for the first commit of this term. */
  pendingReadIndex: Message[] = []
  leadTransferee: NodeId = ''
  /** Leader: a MsgTimeoutNow was sent this term, so the read lease is void (see leaseStamp). */
  leaseVoid = false
  /** With cfg.leaseOnStart: ticks left during which we ignore higher-term vote requests. */
  startQuietTicks = 0
  /** Leader: index of the latest conf change proposed; a new one waits until it is applied. */
  pendingConfIndex = 0
  electionElapsed = 0
  heartbeatElapsed = 0
  randomizedElectionTimeout = 0
  private stepFn: StepFn = stepFollower
  private tickFn: TickFn = tickElection

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config)
    this.id = config.id
    this.log = new RaftLog(config.storage, this.cfg.maxCommittedSizePerReady)
    const {hardState, confState} = config.storage.initialState()
    this.conf = cloneConfState(confState)
    if (hardState.term !== 0 || hardState.vote !== '' || hardState.commit !== 0) this.loadState(hardState)
    // A bootstrap snapshot (conf-change.ts) comes with a zero hard state: term >= last log term.
    this.term = Math.max(this.term, this.log.lastTerm())
    if (config.applied !== undefined) this.loadApplied(config.applied)
    this.becomeFollower(this.term, '')
    if (this.cfg.leaseOnStart) this.startQuietTicks = this.cfg.electionTicks
  }

  private loadState(hs: HardState): void {
    if (hs.commit < this.log.committed || hs.commit > this.log.lastIndex()) {
      throw new RaftError('invalid-config', `hard state commit ${hs.commit} is outside [${this.log.committed}, ${this.log.lastIndex()}]`)
    }
    this.log.committed = hs.commit
    this.term = hs.term
    this.vote = hs.vote
  }

  /** The FSM already reflects `applied`: conf changes up to it will not be delivered again, so apply them here. */
  private loadApplied(applied: number): void {
    if (applied <= this.log.applied) return
    if (applied > this.log.committed) throw new RaftError('invalid-config', `applied ${applied} is past commit ${this.log.committed}`)
    for (const e of this.log.slice(this.log.applied + 1, applied + 1)) {
      if (e.type === EntryType.ConfChange) this.conf = applyToConfState(this.conf, decodeConfChange(e.data))
    }
    this.log.appliedTo(applied)
  }

  hardState(): HardState {
    return {term: this.term, vote: this.vote, commit: this.log.committed}
  }

  /** Only voters may campaign; a node with an empty or foreign conf never does. */
  promotable(): boolean {
    return isVoter(this.conf, this.id)
  }

  send(m: Outgoing): void {
    const voteType = m.type === MsgType.Vote || m.type === MsgType.PreVote || m.type === MsgType.VoteResp || m.type === MsgType.PreVoteResp
    invariant(!voteType || m.term !== undefined, `${m.type} needs an explicit term`)
    const out = {...m, from: this.id, term: m.term ?? this.term} as Message
    if (out.to === this.id) this.msgsToSelf.push(out)
    else this.msgs.push(out)
  }

  /** Relays a message (ReadIndex, TransferLeader) to another node, keeping its `from`. */
  forward(m: Message, to: NodeId): void {
    this.msgs.push({...m, to, term: this.term})
  }

  tick(): void {
    if (this.startQuietTicks > 0) this.startQuietTicks--
    this.tickFn(this)
  }

  // ---- role transitions -------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = ''
    }
    this.lead = ''
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.randomInt(this.cfg.electionTicks)
    this.leadTransferee = ''
    this.leaseVoid = false
    this.votes = new Map()
    this.prs = new Map()
    this.readOnly = new ReadOnly()
    this.pendingReadIndex = []
    this.pendingConfIndex = 0
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term)
    this.stepFn = stepFollower
    this.tickFn = tickElection
    this.lead = lead
    this.role = 'follower'
  }

  becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'leader cannot become pre-candidate')
    // Pre-vote changes neither term nor vote: only the tally and the role.
    this.stepFn = stepCandidate
    this.tickFn = tickElection
    this.votes = new Map()
    this.lead = ''
    this.role = 'precandidate'
  }

  becomeCandidate(): void {
    invariant(this.role !== 'leader', 'leader cannot become candidate')
    this.reset(this.term + 1)
    this.stepFn = stepCandidate
    this.tickFn = tickElection
    this.vote = this.id
    this.role = 'candidate'
  }

  becomeLeader(): void {
    invariant(this.role === 'candidate', `${this.role} cannot become leader`)
    this.reset(this.term)
    this.stepFn = stepLeader
    this.tickFn = tickHeartbeat
    this.lead = this.id
    this.role = 'leader'
    const last = this.log.lastIndex()
    for (const id of members(this.conf)) this.prs.set(id, this.newProgress(id === this.id ? last : 0))
    // Our whole log was durable before any vote for us was sent (Ready order), so match = last.
    const self = this.prs.get(this.id)!
    self.becomeReplicate()
    self.recentActive = true
    // The empty entry commits everything from earlier terms (§5.4.2). Conf changes wait
    // until it is applied, which rules out the single-server-change bug of older leaders.
    this.appendEntry([{index: 0, term: 0, type: EntryType.Normal, data: new Uint8Array(0)}])
    this.pendingConfIndex = this.log.lastIndex()
  }

  newProgress(match: number): Progress {
    return new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, match)
  }

  // ---- the common step ---------------------------------------------------------------

  /**
   * Every message, local (term 0) or remote, enters here. Handles term comparison (a higher
   * term makes us follower, a lower one is answered or ignored), elections and votes, and
   * hands everything else to the role's step function. May throw ProposalDroppedError for
   * local requests.
   */
  step(m: Message): void {
    if (m.term > this.term && m.term !== 0) {
      if (m.type === MsgType.Vote || m.type === MsgType.PreVote) {
        // Leader stickiness: while we heard from a leader within an election timeout, a
        // higher-term candidate is a disrupted or removed node, not a reason to move on.
        const heardLeader = this.lead !== '' && this.electionElapsed < this.cfg.electionTicks
        const inLease = this.cfg.checkQuorum && (heardLeader || this.startQuietTicks > 0)
        if (inLease && m.context !== CAMPAIGN_TRANSFER) return
      }
      if (m.type === MsgType.PreVote) {
        // A pre-vote carries a future term; it must not move ours.
      } else if (m.type === MsgType.PreVoteResp && !m.reject) {
        // A granted pre-vote echoes our future term; we move only when we win.
      } else if (m.type === MsgType.App || m.type === MsgType.Heartbeat || m.type === MsgType.Snap) {
        this.becomeFollower(m.term, m.from)
      } else {
        this.becomeFollower(m.term, '')
      }
    } else if (m.term < this.term && m.term !== 0) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MsgType.Heartbeat || m.type === MsgType.App)) {
        // A stale leader: with check-quorum/pre-vote our higher term may never reach it
        // through votes, so tell it directly (it steps down on our higher-term answer).
        this.send({to: m.from, type: MsgType.AppResp})
      } else if (m.type === MsgType.PreVote) {
        this.send({to: m.from, type: MsgType.PreVoteResp, term: this.term, reject: true})
      }
      return
    }

    switch (m.type) {
      case MsgType.Hup:
        this.hup(this.cfg.preVote ? 'preElection' : 'election')
        return
      case MsgType.PropResp:
        // Whatever our role now: the proposer's driver matches it to what it is waiting for.
        this.proposalResults.push({context: m.context ?? '', index: m.index ?? 0, term: m.logTerm ?? 0, rejected: m.reject === true})
        return
      case MsgType.Vote:
      case MsgType.PreVote:
        this.handleVote(m)
        return
      default:
        this.stepFn(this, m)
    }
  }

  private handleVote(m: Message): void {
    const respType = m.type === MsgType.Vote ? MsgType.VoteResp : MsgType.PreVoteResp
    const canVote =
      this.vote === m.from ||
      // Never voted this term and know no leader of it.
      (this.vote === '' && this.lead === '') ||
      // A pre-vote for a future term does not commit us to anything.
      (m.type === MsgType.PreVote && m.term > this.term)
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // Granting answers with the request's term (a pre-vote's is in our future).
      this.send({to: m.from, type: respType, term: m.term})
      if (m.type === MsgType.Vote) {
        this.electionElapsed = 0
        this.vote = m.from
      }
    } else {
      this.send({to: m.from, type: respType, term: this.term, reject: true})
    }
  }

  // ---- elections ---------------------------------------------------------------------

  hup(t: CampaignType): void {
    if (this.role === 'leader' || !this.promotable() || this.hasUnappliedConfChanges()) return
    this.campaign(t)
  }

  /** Conf changes committed but not applied: the voter set we would campaign in may be stale. */
  hasUnappliedConfChanges(): boolean {
    if (this.log.hasPendingSnapshot()) return true
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex())
    if (lo > this.log.committed) return false
    return this.log.slice(lo, this.log.committed + 1).some((e) => e.type === EntryType.ConfChange)
  }

  campaign(t: CampaignType): void {
    let voteType: MsgType
    let term: number
    if (t === 'preElection') {
      this.becomePreCandidate()
      voteType = MsgType.PreVote
      term = this.term + 1
      // Our own pre-vote promises nothing, so it counts at once (no durability needed).
      if (this.poll(this.id, true) === 'won') {
        this.campaign('election')
        return
      }
    } else {
      this.becomeCandidate()
      voteType = MsgType.Vote
      term = this.term
      // Our own vote counts only once term+vote are durable: RawNode steps it in advance().
      this.send({to: this.id, type: MsgType.VoteResp, term})
    }
    const lastIndex = this.log.lastIndex()
    const lastTerm = this.log.lastTerm()
    for (const id of this.conf.voters) {
      if (id === this.id) continue
      this.send({to: id, type: voteType, term, index: lastIndex, logTerm: lastTerm, ...(t === 'transfer' ? {context: CAMPAIGN_TRANSFER} : {})})
    }
  }

  /** Records one answer and returns the tally's outcome. */
  poll(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted)
    return voteResult(this.conf.voters, this.votes)
  }

  // ---- leader helpers shared by the role modules ------------------------------------

  /** Leader: appends entries of the current term; our own ack follows once they are durable. */
  appendEntry(ents: Entry[]): void {
    let index = this.log.lastIndex()
    const stamped = ents.map((e) => ({...e, index: ++index, term: this.term}))
    const last = this.log.append(stamped)
    this.send({to: this.id, type: MsgType.AppResp, index: last})
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.termOrZero(this.log.committed) === this.term
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = ''
  }

  /**
   * Leader read lease: the oldest heartbeat stamp that a voter quorum (us included, as
   * +Infinity) has echoed in this term, or undefined when there is no lease. A voter that
   * echoed stamp s received that heartbeat after the driver stamped it, and ignores other
   * candidates for an election timeout of its own clock from then (check-quorum's leader
   * stickiness), so no other leader can be elected before s + electionTimeout adjusted for
   * clock-rate drift; the driver turns that into wall time. No lease before the first
   * commit of our term (our commit index may be behind), without check-quorum (nobody is
   * sticky), or once we sent MsgTimeoutNow this term (a transfer campaign bypasses
   * stickiness, and an aborted transfer's MsgTimeoutNow can still arrive later).
   */
  leaseStamp(): number | undefined {
    if (this.role !== 'leader' || !this.cfg.checkQuorum || this.leaseVoid || !this.committedEntryInCurrentTerm()) return undefined
    const stamps = this.conf.voters.map((id) => (id === this.id ? Infinity : (this.prs.get(id)?.ackedStamp ?? -1))).sort((a, b) => b - a)
    if (stamps.length === 0) return undefined
    const q = stamps[Math.floor(stamps.length / 2)]!
    return q < 0 ? undefined : q
  }

  /** Leader: is a voter quorum recently active? Also starts the next observation window. */
  checkQuorumActive(): boolean {
    const votes = new Map<NodeId, boolean>()
    for (const [id, pr] of this.prs) {
      votes.set(id, id === this.id || pr.recentActive)
      if (id !== this.id) pr.recentActive = false
    }
    return voteResult(this.conf.voters, votes) === 'won'
  }

  /** Follower: installs snapshot s unless it is old or our log already has its last entry. */
  restore(s: Snapshot): boolean {
    if (s.meta.index <= this.log.committed) return false
    if (this.log.matchTerm(s.meta.index, s.meta.term)) {
      // We have the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(s.meta.index)
      return false
    }
    this.log.restore(s)
    this.conf = cloneConfState(s.meta.conf)
    return true
  }

  // ---- membership ----------------------------------------------------------------------

  /**
   * Applies a committed conf change to the membership. A leader creates/drops progress,
   * steps down if it is no longer a voter, and re-evaluates the commit index (the quorum
   * may have shrunk).
   */
  applyConfChange(cc: ConfChange): ConfState {
    this.conf = applyToConfState(this.conf, cc)
    if (this.role !== 'leader') return cloneConfState(this.conf)
    if (!this.promotable()) {
      this.becomeFollower(this.term, '')
      return cloneConfState(this.conf)
    }
    const wanted = new Set(members(this.conf))
    for (const id of [...this.prs.keys()]) if (!wanted.has(id)) this.prs.delete(id)
    const added: NodeId[] = []
    for (const id of wanted) {
      if (this.prs.has(id)) continue
      const pr = this.newProgress(0)
      // Count a new member as active so check-quorum does not fire before it answers.
      pr.recentActive = true
      this.prs.set(id, pr)
      added.push(id)
    }
    if (this.leadTransferee !== '' && !wanted.has(this.leadTransferee)) this.abortLeaderTransfer()
    if (!commitAndBroadcast(this)) for (const id of added) sendAppend(this, id)
    return cloneConfState(this.conf)
  }
}
