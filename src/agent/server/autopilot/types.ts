/**
 * What autopilot knows of each server, in raft-autopilot's terms. Times are milliseconds
 * on the caller's monotonic clock (tick's nowMs), except the *WallMs fields.
 */

/** The gossip status of a server as autopilot reads it (raft-autopilot's NodeStatus). */
export type NodeStatus = 'alive' | 'failed' | 'left' | 'unknown'

/** A server as the LAN gossip pool describes it (Consul's KnownServers). */
export interface KnownServer {
  id: string
  name: string
  /** "ip:port" of its server RPC, '' when its tags do not say. */
  address: string
  status: NodeStatus
  /** Its Consul version from the `build` tag, '' when absent. */
  version: string
  /** Its `raft_vsn` tag ('' when absent). */
  raftVersion?: string
}

/** A server's Raft progress as the leader sees it. */
export interface ServerStats {
  /** Milliseconds since the leader last heard from it; -1 when never. */
  lastContactMs: number
  lastTerm: number
  lastIndex: number
}

export type RaftRole = 'leader' | 'voter' | 'non-voter'

export interface ServerState {
  id: string
  name: string
  address: string
  nodeStatus: NodeStatus
  version: string
  role: RaftRole
  stats: ServerStats
  healthy: boolean
  /** When `healthy` last changed (monotonic ms, and the same instant in wall ms). */
  stableSinceMs: number
  stableSinceWallMs: number
}

export interface AutopilotState {
  healthy: boolean
  failureTolerance: number
  leader: string
  /** Voter ids, the leader first, then by id. */
  voters: string[]
  servers: ServerState[]
  /** When the first state of this leadership term was computed (stabilization grace). */
  firstStateMs: number
}

/** One membership change autopilot decided on. */
export type AutopilotAction = {type: 'promote'; id: string} | {type: 'remove'; id: string; reason: 'stale' | 'failed' | 'left'}
