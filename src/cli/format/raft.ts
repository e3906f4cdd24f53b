import type {AutopilotHealth, RaftConfiguration} from '../../api/client.js'

/**
 * `operator raft list-peers` rows. With autopilot health (Consul ≥1.16 shape)
 * two columns more: the server's last index and how far it trails the leader.
 */
export function peerRows(cfg: RaftConfiguration, health?: AutopilotHealth | null): string[][] {
  const header = ['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol']
  if (!health) {
    return [header, ...cfg.Servers.map((s) => [s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), s.ProtocolVersion || '<=1'])]
  }
  const byId = new Map(health.Servers.map((h) => [h.ID, h]))
  const leader = cfg.Servers.find((s) => s.Leader)
  const leaderIndex = (leader && byId.get(leader.ID)?.LastIndex) ?? 0
  const rows = [[...header, 'Commit Index', 'Trails Leader By']]
  for (const s of cfg.Servers) {
    const base = [s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), s.ProtocolVersion || '<=1']
    const h = byId.get(s.ID)
    if (!h) {
      rows.push([...base, '_'])
      continue
    }
    const behind = Math.max(0, leaderIndex - h.LastIndex)
    const trails = s.Leader ? '_' : behind <= 1 ? `${behind} Commit` : `${behind} Commits`
    rows.push([...base, String(h.LastIndex), trails])
  }
  return rows
}
