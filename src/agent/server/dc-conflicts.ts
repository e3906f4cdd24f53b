import {MemberStatus} from '../gossip/serf/serf.js'

/**
 * The WAN tag in which a server advertises the identity of its Raft cluster (dc's own
 * tag; Consul has none). Equal on every server of one bootstrapped cluster, different
 * between two clusters that were bootstrapped separately, even under one -datacenter name.
 */
export const CLUSTER_ID_TAG = 'raft_cluster_id'

/** What of a WAN member the decision needs. */
export interface WanClaim {
  name: string
  status: number
  tags: Record<string, string>
}

/** One Raft cluster's alive servers claiming a datacenter name (WAN member names). */
export interface ClaimGroup {
  clusterId: string
  servers: string[]
}

/** A datacenter name claimed by alive servers of more than one Raft cluster. */
export interface DatacenterConflict {
  datacenter: string
  /** Sorted by cluster ID; each group's servers sorted by name. */
  clusters: ClaimGroup[]
}

/**
 * Datacenters that alive servers of two or more Raft clusters claim, by name. Only alive
 * servers count: a cluster rebuilt under new node names leaves its old servers failed
 * until they are reaped, and those can neither be routed to nor mislead a router.
 * A server without the tag (not yet caught up with its cluster's ID, or a Consul server)
 * conflicts with no one.
 */
export function datacenterConflicts(members: WanClaim[]): DatacenterConflict[] {
  const byDc = new Map<string, Map<string, string[]>>()
  for (const m of members) {
    const dc = m.tags.dc
    const id = m.tags[CLUSTER_ID_TAG]
    if (m.status !== MemberStatus.alive || m.tags.role !== 'consul' || !dc || !id) continue
    let groups = byDc.get(dc)
    if (!groups) byDc.set(dc, (groups = new Map()))
    const names = groups.get(id)
    if (names) names.push(m.name)
    else groups.set(id, [m.name])
  }
  const out: DatacenterConflict[] = []
  for (const [datacenter, groups] of byDc) {
    if (groups.size < 2) continue
    const clusters = [...groups].map(([clusterId, servers]) => ({clusterId, servers: [...servers].sort(byString)})).sort((a, b) => byString(a.clusterId, b.clusterId))
    out.push({datacenter, clusters})
  }
  return out.sort((a, b) => byString(a.datacenter, b.datacenter))
}

/**
 * Whether a WAN member is a server of another Raft cluster that claims `ownDc`, the
 * datacenter of the server asking (whose own cluster is `ownClusterId`).
 */
export function isForeignClaim(m: WanClaim, ownDc: string, ownClusterId: string | undefined): boolean {
  const id = m.tags[CLUSTER_ID_TAG]
  return m.tags.dc === ownDc && !!ownClusterId && !!id && id !== ownClusterId
}

/** The answer to a request for a datacenter two clusters claim (an HTTP 500, as "No path to datacenter"). */
export function conflictError(c: DatacenterConflict): string {
  return `Datacenter "${c.datacenter}" is claimed by ${c.clusters.length} separately bootstrapped clusters in the WAN pool (${describe(c.clusters)}); ` +
    'requests for it are refused until all but one are renamed with -datacenter'
}

/** The one log line a server writes when it first sees a conflict (or a changed one). */
export function conflictLogLine(c: DatacenterConflict, ownDc: string, ownClusterId: string | undefined): string {
  if (c.datacenter === ownDc) {
    const others = c.clusters.filter((g) => g.clusterId !== ownClusterId)
    return `Other clusters claim this datacenter's name "${ownDc}" in the WAN pool (${describe(others)}); ` +
      `this server (${CLUSTER_ID_TAG} ${short(ownClusterId ?? '?')}) never routes to them and other datacenters refuse requests for "${ownDc}": ` +
      'give one of the clusters another name (-datacenter, with a new data dir) and restart its servers'
  }
  return `Datacenter "${c.datacenter}" is claimed by ${c.clusters.length} separately bootstrapped clusters in the WAN pool (${describe(c.clusters)}); ` +
    `requests for "${c.datacenter}" are refused until one cluster is given another name (-datacenter, with a new data dir)`
}

/** The same conflict again (same datacenter, same clusters): logged once, not on every pass. */
export function conflictKey(c: DatacenterConflict): string {
  return `${c.datacenter}\u0000${c.clusters.map((g) => g.clusterId).join(',')}`
}

function describe(groups: ClaimGroup[]): string {
  return groups.map((g) => `${CLUSTER_ID_TAG} ${short(g.clusterId)}: ${g.servers.join(', ')}`).join('; ')
}

/** Enough of a UUID to tell clusters apart in one line; `dc members -wan -detailed` shows it whole. */
function short(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
