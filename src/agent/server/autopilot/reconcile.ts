import type {AutopilotSettings} from './config.js'
import {effectiveStabilizationMs, isStable} from './health.js'
import type {AutopilotAction, AutopilotState, KnownServer} from './types.js'

interface Eligibility {
  currentVoter: boolean
  /** Known to gossip: with Consul CE's promoter every known server is meant to vote. */
  potentialVoter: boolean
}

/**
 * Promotions: raft-autopilot's stable promoter promotes every non-voter that has been
 * healthy for ServerStabilizationTime. A round that promotes does nothing else, so a
 * promotion never coincides with a removal.
 */
export function promotions(state: AutopilotState, c: AutopilotSettings, nowMs: number): AutopilotAction[] {
  const stabilization = effectiveStabilizationMs(state, c, nowMs)
  return state.servers.filter((s) => s.role === 'non-voter' && isStable(s, stabilization, nowMs)).map((s) => ({type: 'promote', id: s.id}))
}

/**
 * Dead-server cleanup (raft-autopilot's pruneDeadServers) when CleanupDeadServers is on:
 * servers in the Raft configuration that gossip no longer knows ("stale") and servers
 * gossip reports failed or left, non-voters first, stale before failed. Voter removals
 * are capped so that fewer than half of the would-be voters go in one round, and none
 * goes when fewer than MinQuorum would remain.
 */
export function removals(raftServers: {id: string; voter: boolean}[], known: Record<string, KnownServer>, c: AutopilotSettings, leaderId: string): AutopilotAction[] {
  if (!c.CleanupDeadServers) return []
  const registry = new Map<string, Eligibility>()
  for (const s of raftServers) registry.set(s.id, {currentVoter: s.voter, potentialVoter: known[s.id] !== undefined})
  const staleNonVoters: string[] = []
  const staleVoters: string[] = []
  const failedNonVoters: string[] = []
  const failedVoters: string[] = []
  const reason = new Map<string, 'stale' | 'failed' | 'left'>()
  for (const s of raftServers) {
    if (s.id === leaderId) continue
    const k = known[s.id]
    if (!k) {
      ;(s.voter ? staleVoters : staleNonVoters).push(s.id)
      reason.set(s.id, 'stale')
    } else if (k.status !== 'alive') {
      ;(s.voter ? failedVoters : failedNonVoters).push(s.id)
      reason.set(s.id, k.status === 'left' ? 'left' : 'failed')
    }
  }
  const out: AutopilotAction[] = []
  for (const group of [staleNonVoters, staleVoters, failedNonVoters, failedVoters]) {
    const chosen = adjudicate(group.sort(), registry, c.MinQuorum)
    for (const id of chosen) {
      registry.delete(id)
      out.push({type: 'remove', id, reason: reason.get(id)!})
    }
  }
  return out
}

function adjudicate(ids: string[], registry: Map<string, Eligibility>, minQuorum: number): string[] {
  const potential = [...registry.values()].filter((v) => v.potentialVoter).length
  let removedPotential = 0
  // Go's integer division truncates toward zero: (0 - 1) / 2 is 0.
  let maxRemoval = Math.trunc((potential - 1) / 2)
  const out: string[] = []
  for (const id of ids) {
    const v = registry.get(id)
    if (!v) continue
    if (v.potentialVoter && potential - removedPotential - 1 < minQuorum) continue
    if (v.currentVoter && maxRemoval < 1) continue
    if (v.potentialVoter) {
      maxRemoval--
      removedPotential++
    }
    out.push(id)
  }
  return out
}
