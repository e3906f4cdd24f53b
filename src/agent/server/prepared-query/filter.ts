/**
 * Pure filters of a prepared query's local execution (Consul's PreparedQuery.execute):
 * health (critical always drops, OnlyPassing also drops warning, IgnoreCheckIDs are not
 * looked at), node and service metadata, and tags with `!` negation.
 */
import type {CheckServiceNode} from '../../../store/state/types.js'
import type {ServiceQuery} from '../../../store/state/query-types.js'

/** Consul's CheckServiceNodes.FilterIgnore. Maintenance is a critical check in Consul. */
export function filterHealth(nodes: readonly CheckServiceNode[], onlyPassing: boolean, ignoreCheckIds: readonly string[] | null): CheckServiceNode[] {
  const ignore = new Set(ignoreCheckIds ?? [])
  return nodes.filter((n) => n.Checks.every((c) => {
    if (ignore.has(c.CheckID)) return true
    if (c.Status === 'critical' || c.Status === 'maintenance') return false
    return !onlyPassing || c.Status === 'passing'
  }))
}

export function metaMatches(meta: Record<string, string> | undefined, filters: Record<string, string>): boolean {
  return Object.entries(filters).every(([k, v]) => meta?.[k] === v)
}

/** Every required tag present and no `!`-forbidden tag, case-insensitively (Consul's tagFilter). */
export function filterTags(nodes: readonly CheckServiceNode[], tags: readonly string[]): CheckServiceNode[] {
  const must: string[] = []
  const not: string[] = []
  for (const raw of tags) {
    const t = raw.toLowerCase()
    if (t.startsWith('!')) not.push(t.slice(1))
    else must.push(t)
  }
  return nodes.filter((n) => {
    const have = new Set((n.Service.Tags ?? []).map((t) => t.toLowerCase()))
    return must.every((t) => have.has(t)) && !not.some((t) => have.has(t))
  })
}

/** The whole local filter chain, in Consul's order. */
export function filterForQuery(nodes: readonly CheckServiceNode[], s: ServiceQuery): CheckServiceNode[] {
  let out = filterHealth(nodes, s.OnlyPassing, s.IgnoreCheckIDs)
  if (s.NodeMeta && Object.keys(s.NodeMeta).length > 0) out = out.filter((n) => metaMatches(n.Node.Meta, s.NodeMeta!))
  if (s.ServiceMeta && Object.keys(s.ServiceMeta).length > 0) out = out.filter((n) => metaMatches(n.Service.Meta, s.ServiceMeta!))
  if (s.Tags && s.Tags.length > 0) out = filterTags(out, s.Tags)
  return out
}

/** Fisher–Yates with the injected random source (Consul shuffles every result). */
export function shuffle<T>(items: T[], randomInt: (n: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
  return items
}
