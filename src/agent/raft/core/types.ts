/**
 * Types shared by the pure Raft core, its storage and its driver (etcd raft's shape).
 * Node ids are strings (Consul's raft protocol 3 uses node UUIDs).
 */
export type NodeId = string

export const enum EntryType {
  /** A replicated command for the FSM (data = encoded FSM command). Empty data = leader's no-op. */
  Normal = 0,
  /** A membership change (data = JSON-encoded ConfChange). */
  ConfChange = 1,
}

export interface Entry {
  index: number
  term: number
  type: EntryType
  data: Uint8Array
}

/** Persisted before any message that depends on it is sent. */
export interface HardState {
  term: number
  /** '' when no vote in this term. */
  vote: NodeId
  commit: number
}

export interface ConfState {
  voters: NodeId[]
  learners: NodeId[]
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'removeNode'

export interface ConfChange {
  type: ConfChangeType
  node: NodeId
  /** Opaque to the core (e.g. the server's RPC address), carried into the log for the driver. */
  context?: string
}

export interface SnapshotMeta {
  index: number
  term: number
  conf: ConfState
}

export interface Snapshot {
  meta: SnapshotMeta
  data: Uint8Array
}

export const enum MsgType {
  Hup = 'MsgHup',
  Beat = 'MsgBeat',
  Prop = 'MsgProp',
  App = 'MsgApp',
  AppResp = 'MsgAppResp',
  Vote = 'MsgVote',
  VoteResp = 'MsgVoteResp',
  PreVote = 'MsgPreVote',
  PreVoteResp = 'MsgPreVoteResp',
  Snap = 'MsgSnap',
  SnapStatus = 'MsgSnapStatus',
  Heartbeat = 'MsgHeartbeat',
  HeartbeatResp = 'MsgHeartbeatResp',
  Unreachable = 'MsgUnreachable',
  TransferLeader = 'MsgTransferLeader',
  TimeoutNow = 'MsgTimeoutNow',
  ReadIndex = 'MsgReadIndex',
  ReadIndexResp = 'MsgReadIndexResp',
  /** The leader's answer to a forwarded MsgProp: where its entries went (index, logTerm) or reject. */
  PropResp = 'MsgPropResp',
}

/** One message type with optional fields, as etcd's raftpb.Message; plain data, JSON-serialisable except Uint8Array fields. */
export interface Message {
  type: MsgType
  from: NodeId
  to: NodeId
  term: number
  logTerm?: number
  index?: number
  entries?: Entry[]
  commit?: number
  reject?: boolean
  rejectHint?: number
  snapshot?: Snapshot
  /** ReadIndex request context / heartbeat context. */
  context?: string
  /**
   * Heartbeat: an opaque, increasing value the driver puts on the message as it sends it
   * (its monotonic clock); the follower echoes it in its HeartbeatResp. The leader keeps
   * the highest echo per peer for its read lease (Raft.leaseStamp).
   */
  stamp?: number
}

export type Role = 'follower' | 'candidate' | 'precandidate' | 'leader'

export interface SoftState {
  leader: NodeId
  role: Role
}

export interface ReadState {
  index: number
  context: string
}

/**
 * The leader's answer to proposals a follower forwarded (RawNode.forwardProposal): its
 * entries were appended from `index` on at term `term`, or refused (`rejected`: nothing was
 * appended). An accepted proposal is not yet committed: the proposer watches its committed
 * entries for those indexes with that term, as the leader does for its own.
 */
export interface ProposalResult {
  context: string
  index: number
  term: number
  rejected: boolean
}

/**
 * The to-do list the driver must carry out, in order:
 * 1. persist snapshot (replaces the log), then entries (an existing suffix from
 *    entries[0].index is overwritten), then hardState: ONE durable transaction
 *    (fsync when mustSync);
 * 2. only then send messages: any of them may depend on step 1 (a vote grant on the
 *    persisted vote, an append ack on the persisted entries, a MsgApp on the leader's own
 *    entries), so none may leave before it is durable (this is etcd's msgsAfterAppend rule
 *    applied to the whole batch);
 * 3. apply snapshot (FSM restore), then committedEntries in order (they may include
 *    entries from this very Ready: they are durable after step 1); for ConfChange entries
 *    call RawNode.applyConfChange;
 * 4. call advance(ready).
 * Messages a node sends itself (its own vote, its own append ack) never appear in
 * messages: the core counts them in advance(), i.e. only after the driver confirmed the
 * state they acknowledge is durable. Hence a single-voter leader commits an entry only
 * after the Ready carrying it was advanced. readStates are answers to readIndex(): serve
 * each read once the FSM has applied up to its index.
 */
export interface Ready {
  softState?: SoftState
  hardState?: HardState
  entries: Entry[]
  snapshot?: Snapshot
  committedEntries: Entry[]
  messages: Message[]
  readStates: ReadState[]
  /** Answers to this node's forwarded proposals (absent when none). */
  proposals?: ProposalResult[]
  mustSync: boolean
}

/**
 * Read-only view of durable Raft state the core reads from (etcd's Storage).
 * Implementations are synchronous (better-sqlite3 is synchronous).
 * term(i) / entries() throw RaftStorageError('compacted') for i < firstIndex()-1 and
 * RaftStorageError('unavailable') for i > lastIndex(). term(firstIndex()-1) is the
 * snapshot's term.
 */
export interface Storage {
  initialState(): {hardState: HardState; confState: ConfState}
  /** Entries in [lo, hi), at most maxBytes total (at least one entry if any). */
  entries(lo: number, hi: number, maxBytes?: number): Entry[]
  term(index: number): number
  firstIndex(): number
  lastIndex(): number
  snapshot(): Snapshot
}

/**
 * 'snapshot-out-of-date' (added by the core's MemoryStorage): applySnapshot/createSnapshot
 * was given a snapshot not newer than the one held.
 */
export type RaftStorageErrorKind = 'compacted' | 'unavailable' | 'snapshot-unavailable' | 'snapshot-out-of-date'

export class RaftStorageError extends Error {
  constructor(readonly kind: RaftStorageErrorKind, message?: string) {
    super(message ?? `raft storage: ${kind}`)
  }
}
