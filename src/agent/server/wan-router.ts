import {distance, isCompatible, type Coordinate} from '../gossip/coordinate/coordinate.js'
import type {SerfMember} from '../gossip/serf/serf.js'
import {MemberStatus} from '../gossip/serf/serf.js'
import {serverInfo, type ServerInfo} from './servers.js'
import {datacenterConflicts, isForeignClaim, type DatacenterConflict} from './dc-conflicts.js'

export interface WanRouterDeps {
  datacenter: string
  /** WAN pool members (servers of every datacenter, named <node>.<dc>); [] without a WAN pool. */
  members(): SerfMember[]
  /** This server's WAN coordinate, and the last one each WAN member reported. */
  self(): Coordinate | undefined
  coordinateOf(member: string): Coordinate | undefined
  /** This server's Raft cluster identity (undefined until known): other clusters claiming this datacenter are left out. */
  clusterId?(): string | undefined
}

/**
 * Consul's WAN router in small: which servers serve each datacenter (alive WAN members
 * with role=consul and their RPC port tag), ranked by estimated round-trip time from
 * this server's WAN coordinate; datacenters ranked by the median RTT to their servers.
 * Servers of another Raft cluster that claim this datacenter's name are never counted as
 * its servers, and a remote datacenter two clusters claim has no route (`conflict`).
 */
export class WanRouter {
  constructor(private readonly d: WanRouterDeps) {}

  /** WAN members less the servers of other clusters that claim this datacenter's name. */
  private members(): SerfMember[] {
    const own = this.d.clusterId?.()
    const all = this.d.members()
    return own ? all.filter((m) => !isForeignClaim(m, this.d.datacenter, own)) : all
  }

  private servers(): (ServerInfo & {rtt: number})[] {
    const self = this.d.self()
    const out: (ServerInfo & {rtt: number})[] = []
    for (const m of this.members()) {
      const s = serverInfo(m)
      if (!s) continue
      const c = this.d.coordinateOf(m.name)
      out.push({...s, rtt: self && c && isCompatible(self, c) ? distance(self, c) : Infinity})
    }
    return out
  }

  /** Every datacenter the WAN pool knows (this one included), nearest first, then by name. */
  datacenters(): string[] {
    const byDc = new Map<string, number[]>()
    byDc.set(this.d.datacenter, [])
    for (const s of this.servers()) {
      if (!byDc.has(s.datacenter)) byDc.set(s.datacenter, [])
      byDc.get(s.datacenter)!.push(s.rtt)
    }
    const ranked = [...byDc].map(([dc, rtts]) => ({dc, d: dc === this.d.datacenter && rtts.every((r) => r === Infinity) ? 0 : median(rtts)}))
    ranked.sort((a, b) => (a.d === b.d ? (a.dc < b.dc ? -1 : a.dc > b.dc ? 1 : 0) : a.d < b.d ? -1 : 1))
    return ranked.map((r) => r.dc)
  }

  /** RPC addresses of the alive servers of `dc`, nearest first ([] = no path to it). */
  serversOf(dc: string): string[] {
    return this.servers()
      .filter((s) => s.datacenter === dc && s.status === MemberStatus.alive)
      .sort((a, b) => (a.rtt === b.rtt ? (a.name < b.name ? -1 : 1) : a.rtt < b.rtt ? -1 : 1))
      .map((s) => s.addr)
  }

  /**
   * /v1/coordinate/datacenters: each datacenter's alive servers with their WAN
   * coordinates (this server's own from its Vivaldi client), nearest datacenter first.
   */
  coordinateMaps(selfName: string): {Datacenter: string; AreaID: string; Coordinates: {Node: string; Segment: string; Coord: Coordinate}[]}[] {
    const self = this.d.self()
    return this.datacenters().map((dc) => ({
      Datacenter: dc,
      AreaID: 'WAN',
      Coordinates: this.members()
        .filter((m) => m.status === MemberStatus.alive && m.tags.role === 'consul' && m.tags.dc === dc)
        .flatMap((m) => {
          const c = m.name === selfName ? self : this.d.coordinateOf(m.name)
          return c ? [{Node: m.name.endsWith(`.${dc}`) ? m.name.slice(0, -dc.length - 1) : m.name, Segment: '', Coord: c}] : []
        }),
    }))
  }

  /** Every datacenter name alive servers of several Raft clusters claim (this one's included). */
  conflicts(): DatacenterConflict[] {
    return datacenterConflicts(this.d.members())
  }

  /** Why requests for `dc` have no route: two clusters claim it (undefined: they do not). */
  conflict(dc: string): DatacenterConflict | undefined {
    return this.conflicts().find((c) => c.datacenter === dc)
  }

  /** Whether gossip has ever seen this datacenter (alive or not). */
  knows(dc: string): boolean {
    return dc === this.d.datacenter || this.servers().some((s) => s.datacenter === dc)
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return Infinity
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}
