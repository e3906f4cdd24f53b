import {Table} from './context.js'
import {SortedKeys, addToSet, compareKeys, lower, removeFromSet} from './keys.js'
import type {Session} from './types.js'

export function sessionCheckIds(s: Session): string[] {
  return [...s.NodeChecks, ...s.ServiceChecks.map((c) => c.ID)]
}

export const nodeCheckKey = (node: string, checkId: string): string => lower(node) + '\u0000' + lower(checkId)

/** Sessions by ID, with indexes by node and by (node, check) for invalidation. */
export class SessionTable extends Table<Session> {
  private readonly ids = new SortedKeys()
  private readonly byNode = new Map<string, Set<string>>()
  private readonly byCheck = new Map<string, Set<string>>()

  list(): Session[] {
    return this.ids.all().map((id) => this.rows.get(id)!)
  }

  forNode(node: string): Session[] {
    return [...(this.byNode.get(lower(node)) ?? [])].sort(compareKeys).map((id) => this.rows.get(id)!)
  }

  /** IDs of sessions that depend on the check, in ID order. */
  forCheck(node: string, checkId: string): string[] {
    return [...(this.byCheck.get(nodeCheckKey(node, checkId)) ?? [])].sort(compareKeys)
  }

  protected override reindex(id: string, old: Session | undefined, next: Session | undefined): void {
    if (!old && next) this.ids.insert(id)
    else if (old && !next) this.ids.remove(id)
    for (const s of [old, next]) {
      if (!s) continue
      this.ctx.touch('sessions:node:' + lower(s.Node))
    }
    if (old) {
      removeFromSet(this.byNode, lower(old.Node), id)
      for (const c of sessionCheckIds(old)) removeFromSet(this.byCheck, nodeCheckKey(old.Node, c), id)
    }
    if (next) {
      addToSet(this.byNode, lower(next.Node), id)
      for (const c of sessionCheckIds(next)) addToSet(this.byCheck, nodeCheckKey(next.Node, c), id)
    }
    this.ctx.touch('session:' + id)
  }
}
