import {Table} from './context.js'
import {SortedKeys, addToSet, compareKeys, lower, removeFromSet} from './keys.js'
import type {CoordinateEntry} from './types.js'

/** Primary key: node and segment, both case-insensitive (Consul's coordinates "id" index). */
export const coordinateKey = (node: string, segment: string): string => lower(node) + '\u0000' + lower(segment)

/** Coordinates by (node, segment), in key order, with an index by node. */
export class CoordinateTable extends Table<CoordinateEntry> {
  private readonly keys = new SortedKeys()
  private readonly byNode = new Map<string, Set<string>>()

  list(): CoordinateEntry[] {
    return this.keys.all().map((k) => this.rows.get(k)!)
  }

  forNode(node: string): CoordinateEntry[] {
    return [...(this.byNode.get(lower(node)) ?? [])].sort(compareKeys).map((k) => this.rows.get(k)!)
  }

  protected override reindex(key: string, old: CoordinateEntry | undefined, next: CoordinateEntry | undefined): void {
    if (!old && next) this.keys.insert(key)
    else if (old && !next) this.keys.remove(key)
    if (old) removeFromSet(this.byNode, lower(old.Node), key)
    if (next) addToSet(this.byNode, lower(next.Node), key)
    for (const e of [old, next]) if (e) this.ctx.touch('coord:' + lower(e.Node))
  }
}
