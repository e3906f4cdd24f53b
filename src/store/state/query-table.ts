import {Table} from './context.js'
import {SortedKeys, addToSet, lower, removeFromSet} from './keys.js'
import {compileTemplate, type CompiledTemplate} from './query-template.js'
import {isTemplate, type PreparedQuery} from './query-types.js'

/**
 * Prepared queries by ID, with Consul's secondary indexes: unique lower-cased name,
 * unique template prefix (lower-cased name of each template), and by session. A
 * template's compiled form lives beside it and is rebuilt whenever the row changes.
 */
export class PreparedQueryTable extends Table<PreparedQuery> {
  private readonly ids = new SortedKeys()
  private readonly byName = new Map<string, string>()
  private readonly templates = new Map<string, string>()
  private readonly bySession = new Map<string, Set<string>>()
  private readonly compiled = new Map<string, CompiledTemplate>()

  list(): PreparedQuery[] {
    return this.ids.all().map((id) => this.rows.get(id)!)
  }

  byExactName(name: string): PreparedQuery | undefined {
    const id = this.byName.get(lower(name))
    return id === undefined ? undefined : this.rows.get(id)
  }

  /** The template whose (lower-cased) name is the longest prefix of `name`. */
  longestTemplatePrefix(name: string): PreparedQuery | undefined {
    const n = lower(name)
    let best: string | undefined
    for (const prefix of this.templates.keys()) {
      if (n.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix
    }
    return best === undefined ? undefined : this.rows.get(this.templates.get(best)!)
  }

  templateWithName(name: string): PreparedQuery | undefined {
    const id = this.templates.get(lower(name))
    return id === undefined ? undefined : this.rows.get(id)
  }

  forSession(session: string): string[] {
    return [...(this.bySession.get(session) ?? [])].sort()
  }

  compiledTemplate(id: string): CompiledTemplate | undefined {
    return this.compiled.get(id)
  }

  protected override reindex(id: string, old: PreparedQuery | undefined, next: PreparedQuery | undefined): void {
    if (!old && next) this.ids.insert(id)
    else if (old && !next) this.ids.remove(id)
    if (old) {
      if (old.Name !== '' && this.byName.get(lower(old.Name)) === id) this.byName.delete(lower(old.Name))
      if (isTemplate(old) && this.templates.get(lower(old.Name)) === id) this.templates.delete(lower(old.Name))
      if (old.Session) removeFromSet(this.bySession, old.Session, id)
      this.compiled.delete(id)
    }
    if (next) {
      if (next.Name !== '') this.byName.set(lower(next.Name), id)
      if (isTemplate(next)) {
        this.templates.set(lower(next.Name), id)
        // Rows only reach the table after compiling once (set/restore), so this cannot throw.
        this.compiled.set(id, compileTemplate(next))
      }
      if (next.Session) addToSet(this.bySession, next.Session, id)
    }
    this.ctx.touch('query:' + id)
    this.ctx.touch('table:prepared-queries')
  }
}
