import type {ReplicationStatus} from '../../api/client.js'
import {columnize} from '../render.js'

const NEVER = '0001-01-01T00:00:00Z'

/** `replication status`: a header line, then one row per prefix (space-padded columns, awk-friendly). */
export function replicationStatusText(s: ReplicationStatus): string {
  if (!s.Enabled) return 'KV replication is not configured in this datacenter (no replication stanza on its servers)'
  const head = `Source datacenter: ${s.SourceDatacenter} (${s.Running ? 'running on the leader' : 'not running'})`
  const rows = [['Prefix', 'Source', 'Replicated Index', 'Source Index', 'Local Index', 'Lag', 'Since Last Success', 'Last Error']]
  for (const p of s.Prefixes) {
    // An error older than the last success is history (still in -format=json), not the state.
    const current = p.LastError !== NEVER && p.LastErrorMessage && (p.LastSuccess === NEVER || p.LastError > p.LastSuccess)
    const err = current ? `${p.LastError} ${p.LastErrorMessage}` : '-'
    rows.push([p.Prefix, p.SourceDatacenter, String(p.ReplicatedIndex), String(p.SourceIndex), String(p.LocalIndex), String(p.LagIndex), p.SinceLastSuccess || 'never', err])
  }
  return `${head}\n${columnize(rows)}`
}
