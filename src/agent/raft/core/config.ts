import {RaftError} from './errors.js'
import type {NodeId, Storage} from './types.js'

/**
 * How a RawNode is built. Time is counted in ticks: the driver calls tick() every fixed
 * interval (e.g. 100ms) and chooses electionTicks/heartbeatTicks accordingly.
 */
export interface RaftConfig {
  id: NodeId
  /** Durable state the node starts from and reads its stable log from (see Storage). */
  storage: Storage
  /**
   * A follower that hears nothing from a leader for a randomized timeout in
   * [electionTicks, 2*electionTicks) starts an election. Default 10.
   */
  electionTicks?: number
  /** A leader sends heartbeats every heartbeatTicks. Must be < electionTicks. Default 1. */
  heartbeatTicks?: number
  /** Injected jitter source: a uniform integer in [0, n). The core has no randomness of its own. */
  randomInt: (n: number) => number
  /** Pre-vote (Raft thesis §9.6): a node only bumps its term once a quorum would vote for it. Default true. */
  preVote?: boolean
  /**
   * Check-quorum: a leader steps down when it has not heard from a voter quorum within an
   * election timeout, and nodes that hear from a leader ignore higher-term vote requests
   * for that long (leader stickiness). Default true.
   */
  checkQuorum?: boolean
  /** Upper bound on the entry bytes of one MsgApp (at least one entry is always sent). Default 1 MiB. */
  maxSizePerMsg?: number
  /** MsgApps pipelined to one follower without acknowledgement. Default 256. */
  maxInflightMsgs?: number
  /** Upper bound on committed-entry bytes per Ready. Default maxSizePerMsg. */
  maxCommittedSizePerReady?: number
  /**
   * Index the state machine already reflects when the node starts (e.g. the snapshot it was
   * restored from): committed entries after it are delivered again in Ready.committedEntries,
   * those at or before it are not, and conf changes among the latter are re-applied to the
   * membership internally. Default: storage.firstIndex() - 1.
   */
  applied?: number
  /**
   * How ReadIndex confirms leadership: 'safe' (default) runs a heartbeat quorum round;
   * 'lease' answers from the leader's check-quorum lease without a round (requires
   * checkQuorum; relies on bounded clock drift between nodes).
   */
  readOnly?: 'safe' | 'lease'
  /**
   * Treat a start (or restart) like hearing from a leader: ignore higher-term (pre-)vote
   * requests for electionTicks ticks after start. A restarted voter forgets the leader it
   * acknowledged; without this it could help elect a new leader while the old one still
   * relies on that acknowledgement for its read lease (leaseStamp). Default false.
   */
  leaseOnStart?: boolean
}

export interface ResolvedConfig {
  id: NodeId
  electionTicks: number
  heartbeatTicks: number
  randomInt: (n: number) => number
  preVote: boolean
  checkQuorum: boolean
  maxSizePerMsg: number
  maxInflightMsgs: number
  maxCommittedSizePerReady: number
  readOnly: 'safe' | 'lease'
  leaseOnStart: boolean
}

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RaftError('invalid-config', `${name} must be a positive integer, got ${v}`)
  return v
}

export function resolveConfig(cfg: RaftConfig): ResolvedConfig {
  if (typeof cfg.id !== 'string' || cfg.id === '') throw new RaftError('invalid-config', 'id must be a non-empty string')
  if (typeof cfg.randomInt !== 'function') throw new RaftError('invalid-config', 'randomInt is required')
  const electionTicks = positiveInt('electionTicks', cfg.electionTicks ?? 10)
  const heartbeatTicks = positiveInt('heartbeatTicks', cfg.heartbeatTicks ?? 1)
  if (heartbeatTicks >= electionTicks) throw new RaftError('invalid-config', 'heartbeatTicks must be smaller than electionTicks')
  const maxSizePerMsg = positiveInt('maxSizePerMsg', cfg.maxSizePerMsg ?? 1 << 20)
  const checkQuorum = cfg.checkQuorum ?? true
  const readOnly = cfg.readOnly ?? 'safe'
  if (readOnly === 'lease' && !checkQuorum) throw new RaftError('invalid-config', "readOnly 'lease' requires checkQuorum")
  return {
    id: cfg.id,
    electionTicks,
    heartbeatTicks,
    randomInt: cfg.randomInt,
    preVote: cfg.preVote ?? true,
    checkQuorum,
    maxSizePerMsg,
    maxInflightMsgs: positiveInt('maxInflightMsgs', cfg.maxInflightMsgs ?? 256),
    maxCommittedSizePerReady: positiveInt('maxCommittedSizePerReady', cfg.maxCommittedSizePerReady ?? maxSizePerMsg),
    readOnly,
    leaseOnStart: cfg.leaseOnStart ?? false,
  }
}
