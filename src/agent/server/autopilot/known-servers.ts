import {MemberStatus} from '../../gossip/serf/serf.js'
import type {ServerInfo} from '../servers.js'
import type {KnownServer, NodeStatus} from './types.js'

/**
 * The servers of this datacenter (ServerLookup, from the LAN pool's tags) by Raft id, as
 * autopilot and the operator endpoints see them. Leaving counts as failed, as Consul's
 * autopilot delegate has it.
 */
export function knownServers(servers: readonly ServerInfo[]): Record<string, KnownServer> {
  const out: Record<string, KnownServer> = {}
  for (const s of servers) {
    out[s.id] = {
      id: s.id,
      name: s.name,
      address: s.addr,
      status: nodeStatus(s.status),
      version: s.version,
      raftVersion: s.raftVersion ? String(s.raftVersion) : '',
    }
  }
  return out
}

function nodeStatus(s: number): NodeStatus {
  switch (s) {
    case MemberStatus.alive: return 'alive'
    case MemberStatus.left: return 'left'
    case MemberStatus.leaving:
    case MemberStatus.failed: return 'failed'
    default: return 'unknown'
  }
}

/** Serf's status names, as ServerHealth.SerfStatus renders a node status. */
export function serfStatusName(s: NodeStatus): string {
  return s === 'unknown' ? 'none' : s
}
