import {MemberStatus, type SerfMember} from '../../gossip/serf/serf.js'
import type {KnownServer, NodeStatus} from './types.js'

/**
 * The servers of `datacenter` in the LAN pool, by Raft id (the `id` tag), as autopilot
 * and the operator endpoints see them: name, RPC address from the `port` tag, status
 * (leaving counts as failed, as Consul's autopilot delegate has it), version from `build`.
 */
export function knownServers(members: readonly SerfMember[], datacenter: string): Record<string, KnownServer> {
  const out: Record<string, KnownServer> = {}
  for (const m of members) {
    if (m.tags.role !== 'consul' || m.tags.dc !== datacenter || !m.tags.id) continue
    const port = Number(m.tags.port)
    const host = m.addr.ip.includes(':') ? `[${m.addr.ip}]` : m.addr.ip
    out[m.tags.id] = {
      id: m.tags.id,
      name: m.name,
      address: port > 0 ? `${host}:${port}` : '',
      status: nodeStatus(m.status),
      version: (m.tags.build ?? '').split(':')[0] ?? '',
      raftVersion: m.tags.raft_vsn ?? '',
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
