import {coordinateKey} from './coordinate-table.js'
import {lower} from './keys.js'
import type {Tables} from './tables.js'
import type {CoordinateEntry, NetworkCoordinate} from './types.js'
import type {WatchSet} from './watch.js'

export const COORDINATES_TABLE = 'coordinates'

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x)

/** What a batch may carry: a Vec of finite numbers and finite scalars (Serf's IsValid). */
export function isStorableCoordinate(c: NetworkCoordinate | undefined): c is NetworkCoordinate {
  return c !== null && typeof c === 'object' && Array.isArray(c.Vec) && c.Vec.every(finite) && finite(c.Error) && finite(c.Adjustment) && finite(c.Height)
}

/**
 * Consul's CoordinateBatchUpdate: upsert every valid entry of a node the catalog
 * knows. Entries for unknown nodes are dropped silently — their cleanup is tied to
 * node deletion, and a node that is not registered yet will send again — and invalid
 * ones are skipped. The table index moves even when nothing was kept, as in Consul.
 */
export function coordinateBatchUpdateTxn(t: Tables, idx: number, updates: readonly CoordinateEntry[]): void {
  for (const u of updates) {
    if (!isStorableCoordinate(u.Coord)) continue
    const node = t.nodes.byName(u.Node)
    if (!node) continue
    const segment = u.Segment ?? ''
    const c = u.Coord
    t.coordinates.set(coordinateKey(u.Node, segment), {
      Node: u.Node,
      Segment: segment,
      Coord: Object.freeze({Vec: Object.freeze([...c.Vec]) as number[], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height}),
    })
  }
  t.ctx.index.bump(COORDINATES_TABLE, idx)
}

/** Remove every coordinate of a node (it left the catalog). */
export function deleteNodeCoordinatesTxn(t: Tables, idx: number, node: string): void {
  const rows = t.coordinates.forNode(node)
  if (rows.length === 0) return
  for (const r of rows) t.coordinates.delete(coordinateKey(r.Node, r.Segment))
  t.ctx.index.bump(COORDINATES_TABLE, idx)
}

/** Every coordinate, ordered by node then segment. Index: the coordinates table. */
export function coordinates(t: Tables, ws?: WatchSet): {index: number; value: CoordinateEntry[]} {
  ws?.add('table:' + COORDINATES_TABLE)
  return {index: t.ctx.index.max(COORDINATES_TABLE), value: t.coordinates.list()}
}

/** One node's coordinates by segment (empty when it has none). Index: the coordinates table. */
export function nodeCoordinates(t: Tables, node: string, ws?: WatchSet): {index: number; value: CoordinateEntry[]} {
  ws?.add('coord:' + lower(node))
  return {index: t.ctx.index.max(COORDINATES_TABLE), value: t.coordinates.forNode(node)}
}
