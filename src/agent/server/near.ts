import {distance, isCompatible, type Coordinate} from '../gossip/coordinate/coordinate.js'
import type {StateStore} from '../../store/state/store.js'
import type {CoordinateEntry} from '../../store/state/types.js'

/** Where `?near=` measures from: a node of this datacenter, in a segment. */
export interface NearSource {
  node: string
  segment: string
}

/** A node's coordinate in the segment, or undefined. */
export function coordinateOf(state: StateStore, node: string, segment: string): Coordinate | undefined {
  return state.nodeCoordinates(node).value.find((c: CoordinateEntry) => c.Segment.toLowerCase() === segment.toLowerCase())?.Coord
}

/**
 * Consul's sortNodesByDistanceFrom: a stable sort by estimated RTT from the source
 * node. Without a coordinate for the source nothing can be ranked, so the order is
 * left as it was; items whose node has no (comparable) coordinate go last, in their
 * original order.
 */
export function sortByDistance<T>(state: StateStore, source: NearSource, items: readonly T[], nodeOf: (item: T) => string): T[] {
  const from = coordinateOf(state, source.node, source.segment)
  if (!from) return [...items]
  const keyed = items.map((item, i) => {
    const to = coordinateOf(state, nodeOf(item), source.segment)
    return {item, i, d: to && isCompatible(from, to) ? distance(from, to) : Infinity}
  })
  keyed.sort((a, b) => (a.d === b.d ? a.i - b.i : a.d < b.d ? -1 : 1))
  return keyed.map((k) => k.item)
}
