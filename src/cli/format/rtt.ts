// The CLI estimates RTT with the very model the agent runs (as consul's rtt command
// uses serf's coordinate package): a pure module with no agent runtime behind it.
import {distance, isCompatible} from '../../agent/gossip/coordinate/coordinate.js'
import type {Coord, CoordinateDatacenterMap, CoordinateEntry} from '../../api/client.js'

export type CoordinateSource = 'LAN' | 'WAN'

/** What `dc rtt -format=json` prints. */
export interface RttResult {
  Node1: string
  Node2: string
  Coordinates: CoordinateSource
  /** Estimated round-trip time in milliseconds. */
  RTTMs: number
}

/**
 * Consul's CoordinateSet.Intersect: coordinates are comparable only within one
 * segment. The default segment unless a node has exactly one (a client's own
 * segment), which then wins.
 */
export function intersect(a: Map<string, Coord>, b: Map<string, Coord>): [Coord | undefined, Coord | undefined] {
  let segment = ''
  if (a.size === 1) segment = [...a.keys()][0]!
  if (b.size === 1) segment = [...b.keys()][0]!
  return [a.get(segment), b.get(segment)]
}

/** The two nodes' LAN coordinates (names compared case-insensitively), by segment. */
export function lanPair(entries: CoordinateEntry[], node1: string, node2: string): [Coord | undefined, Coord | undefined] {
  const a = new Map<string, Coord>()
  const b = new Map<string, Coord>()
  for (const e of entries) {
    if (e.Node.toLowerCase() === node1.toLowerCase()) a.set(e.Segment ?? '', e.Coord)
    if (e.Node.toLowerCase() === node2.toLowerCase()) b.set(e.Segment ?? '', e.Coord)
  }
  return intersect(a, b)
}

/** WAN coordinates of `node.dc` names, only when both are in the same area (as consul rtt -wan). */
export function wanPair(dcs: CoordinateDatacenterMap[], n1: {node: string; dc: string}, n2: {node: string; dc: string}): [Coord | undefined, Coord | undefined] {
  let area1: string | undefined
  let area2: string | undefined
  let c1: Coord | undefined
  let c2: Coord | undefined
  for (const dc of dcs) {
    for (const e of dc.Coordinates ?? []) {
      if (dc.Datacenter === n1.dc && e.Node.toLowerCase() === n1.node.toLowerCase()) [area1, c1] = [dc.AreaID, e.Coord]
      if (dc.Datacenter === n2.dc && e.Node.toLowerCase() === n2.node.toLowerCase()) [area2, c2] = [dc.AreaID, e.Coord]
      if (area1 === area2 && c1 && c2) return [c1, c2]
    }
  }
  return [undefined, undefined]
}

/**
 * Estimated RTT in ms, truncated to whole nanoseconds first as Go's time.Duration
 * does, so the printed figure matches consul's. Undefined for incomparable coordinates.
 */
export function rttMs(a: Coord, b: Coord): number | undefined {
  if (!isCompatible(a, b)) return undefined
  return Math.trunc(distance(a, b) * 1e9) / 1e6
}

/** `Estimated a <-> b rtt: 0.610 ms (using LAN coordinates)`. */
export function rttLine(r: RttResult): string {
  return `Estimated ${r.Node1} <-> ${r.Node2} rtt: ${r.RTTMs.toFixed(3)} ms (using ${r.Coordinates} coordinates)`
}
