import {Table} from './context.js'
import {SortedKeys, addToSet, removeFromSet, sortByKey} from './keys.js'
import type {KVEntry} from './types.js'

/** The kvs table: key → entry, kept in key order, with a by-session index of held locks. */
export class KvTable extends Table<KVEntry> {
  private readonly keys = new SortedKeys()
  private readonly bySession = new Map<string, Set<string>>()

  /** Keys locked by a session, in key order. */
  heldBy(session: string): string[] {
    return sortByKey([...(this.bySession.get(session) ?? [])], (k) => k)
  }

  *withPrefix(prefix: string): IterableIterator<KVEntry> {
    for (const k of this.keys.withPrefix(prefix)) yield this.rows.get(k)!
  }

  protected override reindex(key: string, old: KVEntry | undefined, next: KVEntry | undefined): void {
    if (!old && next) this.keys.insert(key)
    else if (old && !next) this.keys.remove(key)
    if (old?.Session) removeFromSet(this.bySession, old.Session, key)
    if (next?.Session) addToSet(this.bySession, next.Session, key)
    this.ctx.touchKv(key)
  }
}
