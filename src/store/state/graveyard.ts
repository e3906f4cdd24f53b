import {Table} from './context.js'
import {SortedKeys} from './keys.js'
import type {Tombstone} from './types.js'
import type {StoreContext} from './context.js'

/**
 * Tombstones left by KV deletes, so the index of a list/get never goes
 * backwards after a delete. Reaped by the leader's tombstone GC through Raft.
 */
export class TombstoneTable extends Table<Tombstone> {
  private readonly keys = new SortedKeys()

  /** Record a delete of key (or of a whole prefix) at idx; bumps the tombstones table index. */
  insert(ctx: StoreContext, key: string, idx: number): void {
    this.set(key, {Key: key, Index: idx})
    ctx.index.bump('tombstones', idx)
  }

  /** Highest tombstone index among keys starting with prefix (0 if none). */
  maxIndexInPrefix(prefix: string): number {
    let m = 0
    for (const k of this.keys.withPrefix(prefix)) {
      const i = this.rows.get(k)!.Index
      if (i > m) m = i
    }
    return m
  }

  /** Delete every tombstone with Index <= upTo; the index table is left alone, as Consul does. */
  reap(upTo: number): number {
    const dead = [...this.rows.values()].filter((t) => t.Index <= upTo)
    for (const t of dead) this.delete(t.Key)
    return dead.length
  }

  all(): Tombstone[] {
    return this.keys.all().map((k) => this.rows.get(k)!)
  }

  protected override reindex(key: string, old: Tombstone | undefined, next: Tombstone | undefined): void {
    if (!old && next) this.keys.insert(key)
    else if (old && !next) this.keys.remove(key)
  }
}
