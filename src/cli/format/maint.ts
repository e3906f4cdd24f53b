import type {HealthCheck} from '../../api/client.js'

export interface MaintenanceEntry {
  Kind: 'node' | 'service'
  /** Node name for node maintenance, service ID for service maintenance. */
  ID: string
  Reason: string
}

/** Maintenance checks among the agent's checks (`_node_maintenance`, `_service_maintenance:<id>`). */
export function maintenanceEntries(checks: Record<string, HealthCheck>, nodeName: string): MaintenanceEntry[] {
  const out: MaintenanceEntry[] = []
  for (const id of Object.keys(checks).sort()) {
    const c = checks[id]
    if (c.CheckID === '_node_maintenance') out.push({Kind: 'node', ID: nodeName, Reason: c.Notes})
    else if (c.CheckID.startsWith('_service_maintenance:')) out.push({Kind: 'service', ID: c.ServiceID, Reason: c.Notes})
  }
  // node first, as Consul lists it when present
  return out.sort((a, b) => (a.Kind === b.Kind ? 0 : a.Kind === 'node' ? -1 : 1))
}

export function maintenanceLines(entries: readonly MaintenanceEntry[]): string[] {
  const lines: string[] = []
  for (const e of entries) {
    if (e.Kind === 'node') lines.push('Node:', `  Name:   ${e.ID}`, `  Reason: ${e.Reason}`, '')
    else lines.push('Service:', `  ID:     ${e.ID}`, `  Reason: ${e.Reason}`, '')
  }
  return lines
}
