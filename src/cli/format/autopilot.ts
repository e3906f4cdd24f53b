import type {AutopilotConfiguration, AutopilotServer, AutopilotState} from '../../api/client.js'

/** `operator autopilot get-config`: Consul's `Key = value` lines (strings quoted as Go's %q). */
export function autopilotConfigLines(c: AutopilotConfiguration): string[] {
  return [
    `CleanupDeadServers = ${c.CleanupDeadServers}`,
    `LastContactThreshold = ${c.LastContactThreshold}`,
    `MaxTrailingLogs = ${c.MaxTrailingLogs}`,
    `MinQuorum = ${c.MinQuorum}`,
    `ServerStabilizationTime = ${c.ServerStabilizationTime}`,
    `RedundancyZoneTag = ${JSON.stringify(c.RedundancyZoneTag ?? '')}`,
    `DisableUpgradeMigration = ${c.DisableUpgradeMigration}`,
    `UpgradeVersionTag = ${JSON.stringify(c.UpgradeVersionTag ?? '')}`,
  ]
}

function serverLines(s: AutopilotServer): string[] {
  const lines = [
    `   ${s.ID}`,
    `      Name:            ${s.Name}`,
    `      Address:         ${s.Address}`,
    `      Version:         ${s.Version}`,
    `      Status:          ${s.Status}`,
    `      Node Type:       ${s.NodeType}`,
    `      Node Status:     ${s.NodeStatus}`,
    `      Healthy:         ${s.Healthy}`,
    `      Last Contact:    ${s.LastContact}`,
    `      Last Term:       ${s.LastTerm}`,
    `      Last Index:      ${s.LastIndex}`,
  ]
  if (s.RedundancyZone) lines.push(`      Redundancy Zone: ${s.RedundancyZone}`)
  if (s.UpgradeVersion) lines.push(`      Upgrade Version: ${s.UpgradeVersion}`)
  if (s.ReadReplica) lines.push(`      Read Replica:    ${s.ReadReplica}`)
  const meta = Object.entries(s.Meta ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (meta.length > 0) {
    lines.push('      Meta')
    for (const [k, v] of meta) lines.push(`         ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
  }
  return lines
}

/** `operator autopilot state`: Consul's pretty format (CE: no zones or upgrade sections). */
export function autopilotStateText(s: AutopilotState): string {
  const lines = [
    `Healthy:                      ${s.Healthy}`,
    `Failure Tolerance:            ${s.FailureTolerance}`,
    `Optimistic Failure Tolerance: ${s.OptimisticFailureTolerance ?? 0}`,
    `Leader:                       ${s.Leader}`,
    'Voters:',
    ...(s.Voters ?? []).map((v) => `   ${v}`),
  ]
  if (s.ReadReplicas && s.ReadReplicas.length > 0) lines.push('Read Replicas:', ...s.ReadReplicas.map((v) => `   ${v}`))
  lines.push('Servers:')
  for (const id of Object.keys(s.Servers ?? {}).sort()) lines.push(...serverLines(s.Servers[id]!))
  return lines.join('\n')
}
