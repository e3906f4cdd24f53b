import type {AutopilotSettings} from './config.js'
import type {AutopilotState, KnownServer, NodeStatus, RaftRole, ServerState, ServerStats} from './types.js'

/** Everything one state computation reads; pure data, so a state is a function of its inputs. */
export interface StateInputs {
  nowMs: number
  wallMs: number
  config: AutopilotSettings
  /** The Raft configuration: every server with its suffrage. */
  raftServers: {id: string; voter: boolean}[]
  leaderId: string
  /** The leader's own last log index and term (what followers are measured against). */
  leaderLastIndex: number
  leaderLastTerm: number
  /** Per server id, from the leader's replication progress (the leader's own included). */
  stats: Record<string, ServerStats>
  /** Servers known to gossip, by Raft id. */
  known: Record<string, KnownServer>
  /** The state before this one: carries each server's StableSince and the first state's time. */
  previous?: AutopilotState
}

/** Raft's quorum for n voters. */
export function requiredQuorum(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/**
 * raft-autopilot's health rule: a server is healthy when gossip says it is alive, the
 * leader heard from it within LastContactThreshold, its last log term is the leader's,
 * and it trails the leader's last index by at most MaxTrailingLogs. Before Raft has
 * any index or term, nothing is healthy.
 */
export function isHealthy(status: NodeStatus, s: ServerStats, leaderLastIndex: number, leaderLastTerm: number, c: AutopilotSettings): boolean {
  if (leaderLastIndex === 0 || leaderLastTerm === 0) return false
  if (status !== 'alive') return false
  if (s.lastContactMs < 0 || s.lastContactMs > c.LastContactThresholdMs) return false
  if (s.lastTerm !== leaderLastTerm) return false
  if (s.lastIndex + c.MaxTrailingLogs < leaderLastIndex) return false
  return true
}

const UNKNOWN_STATS: ServerStats = {lastContactMs: -1, lastTerm: 0, lastIndex: 0}

/**
 * The next autopilot state from the current inputs and the previous state (which only
 * carries each server's StableSince forward). Healthy overall means every server in the
 * configuration is healthy; FailureTolerance is how many healthy voters could fail with
 * the quorum intact.
 */
export function nextState(i: StateInputs): AutopilotState {
  const prev = new Map((i.previous?.servers ?? []).map((s) => [s.id, s]))
  const servers: ServerState[] = []
  for (const r of i.raftServers) {
    const known = i.known[r.id]
    const old = prev.get(r.id)
    const role: RaftRole = r.id === i.leaderId ? 'leader' : r.voter ? 'voter' : 'non-voter'
    const nodeStatus: NodeStatus = known ? known.status : 'left'
    const stats = i.stats[r.id] ?? old?.stats ?? UNKNOWN_STATS
    const healthy = isHealthy(nodeStatus, stats, i.leaderLastIndex, i.leaderLastTerm, i.config)
    const changed = !old || old.healthy !== healthy
    servers.push({
      id: r.id,
      name: known?.name ?? old?.name ?? '',
      address: known?.address || old?.address || '',
      nodeStatus,
      version: known?.version ?? old?.version ?? '',
      role,
      stats,
      healthy,
      stableSinceMs: changed ? i.nowMs : old.stableSinceMs,
      stableSinceWallMs: changed ? i.wallMs : old.stableSinceWallMs,
    })
  }
  servers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const voters = servers.filter((s) => s.role !== 'non-voter')
  const healthyVoters = voters.filter((s) => s.healthy).length
  const quorum = requiredQuorum(voters.length)
  return {
    healthy: servers.every((s) => s.healthy),
    failureTolerance: healthyVoters > quorum ? healthyVoters - quorum : 0,
    leader: servers.find((s) => s.role === 'leader')?.id ?? '',
    voters: [...voters.filter((s) => s.role === 'leader'), ...voters.filter((s) => s.role !== 'leader')].map((s) => s.id),
    servers,
    firstStateMs: i.previous?.firstStateMs ?? i.nowMs,
  }
}

/**
 * ServerStabilizationTime as raft-autopilot applies it: ignored until autopilot has
 * itself been running that long in this leadership term, so a new leader does not hold
 * back servers it simply has not watched for long enough yet.
 */
export function effectiveStabilizationMs(state: AutopilotState, c: AutopilotSettings, nowMs: number): number {
  return nowMs - state.firstStateMs > c.ServerStabilizationTimeMs ? c.ServerStabilizationTimeMs : 0
}

/** Healthy, and healthy for at least the stabilization time. */
export function isStable(s: ServerState, stabilizationMs: number, nowMs: number): boolean {
  return s.healthy && nowMs - s.stableSinceMs >= stabilizationMs
}
