/**
 * Prepared query templates (Consul's agent/consul/prepared_query): every string of the
 * Service block is an interpolation template, evaluated per lookup with the name asked
 * for. Pure; compiled once when the query is written (errors reject the write) and
 * rendered at each resolve.
 *
 * Interpolation is the subset of HashiCorp's HIL that templates use: `${name.full}`,
 * `${name.prefix}`, `${name.suffix}`, `${agent.segment}`, `${match(N)}`, and `$${` for
 * a literal `${`. Regexps are Go (RE2) syntax translated to JavaScript's: `(?P<n>…)`
 * named groups and leading `(?i)`, `(?m)`, `(?s)` flags.
 */
import {TEMPLATE_NAME_PREFIX_MATCH, type PreparedQuery, type QuerySource, type ServiceQuery} from './query-types.js'

export class TemplateError extends Error {}

type Part = {lit: string} | {expr: Expr; src: string; col: number}
type Expr = {kind: 'var'; name: string} | {kind: 'match'; index: number}

interface Field {
  /** Consul's path of the field: ".Service", ".Tags[0]", ".NodeMeta[env]". */
  path: string
  get(s: ServiceQuery): string
  set(s: ServiceQuery, v: string): void
}

export interface CompiledTemplate {
  query: PreparedQuery
  fields: {field: Field; parts: Part[]}[]
  re: RegExp | undefined
}

const VARS = new Set(['name.full', 'name.prefix', 'name.suffix', 'agent.segment'])

/** Every string field of the Service block, in Consul's walk order (struct fields, then list items, then map values). */
function stringFields(s: ServiceQuery): Field[] {
  const out: Field[] = []
  const scalar = (path: string, key: 'Service' | 'SamenessGroup' | 'Near' | 'Peer') =>
    out.push({path, get: (x) => x[key], set: (x, v) => void (x[key] = v)})
  const list = (path: string, get: (x: ServiceQuery) => string[] | null, n: number) => {
    for (let i = 0; i < n; i++) out.push({path: `${path}[${i}]`, get: (x) => get(x)![i]!, set: (x, v) => void (get(x)![i] = v)})
  }
  const map = (path: string, get: (x: ServiceQuery) => Record<string, string> | null, keys: string[]) => {
    for (const k of keys) out.push({path: `${path}[${k}]`, get: (x) => get(x)![k]!, set: (x, v) => void (get(x)![k] = v)})
  }
  scalar('.Service', 'Service')
  scalar('.SamenessGroup', 'SamenessGroup')
  list('.Failover.Datacenters', (x) => x.Failover.Datacenters, s.Failover.Datacenters?.length ?? 0)
  for (let i = 0; i < (s.Failover.Targets?.length ?? 0); i++) {
    out.push({path: `.Failover.Targets[${i}].Peer`, get: (x) => x.Failover.Targets![i]!.Peer, set: (x, v) => void (x.Failover.Targets![i]!.Peer = v)})
    out.push({path: `.Failover.Targets[${i}].Datacenter`, get: (x) => x.Failover.Targets![i]!.Datacenter, set: (x, v) => void (x.Failover.Targets![i]!.Datacenter = v)})
  }
  list('.IgnoreCheckIDs', (x) => x.IgnoreCheckIDs, s.IgnoreCheckIDs?.length ?? 0)
  scalar('.Near', 'Near')
  list('.Tags', (x) => x.Tags, s.Tags?.length ?? 0)
  map('.NodeMeta', (x) => x.NodeMeta, Object.keys(s.NodeMeta ?? {}))
  map('.ServiceMeta', (x) => x.ServiceMeta, Object.keys(s.ServiceMeta ?? {}))
  scalar('.Peer', 'Peer')
  return out
}

/** Parse one string into literal text and `${…}` interpolations; throws with a HIL-style position. */
export function parseInterpolation(src: string): Part[] {
  const parts: Part[] = []
  let lit = ''
  let i = 0
  while (i < src.length) {
    if (src.startsWith('$${', i)) {
      lit += '${'
      i += 3
      continue
    }
    if (!src.startsWith('${', i)) {
      lit += src[i]
      i++
      continue
    }
    const end = src.indexOf('}', i + 2)
    if (end < 0) throw new TemplateError(`1:${i + 3}: expected "}" but found end of string`)
    if (lit) parts.push({lit})
    lit = ''
    const body = src.slice(i + 2, end)
    parts.push({expr: parseExpr(body, i + 3), src: body.trim(), col: i + 3})
    i = end + 1
  }
  if (lit || parts.length === 0) parts.push({lit})
  return parts
}

function parseExpr(body: string, col: number): Expr {
  const s = body.trim()
  const call = /^([A-Za-z_][\w-]*)\s*\(\s*(.*?)\s*\)$/s.exec(s)
  if (call) {
    if (call[1] !== 'match') throw new TemplateError(`1:${col}: unknown function called: ${call[1]}`)
    if (!/^-?\d+$/.test(call[2]!)) throw new TemplateError(`1:${col}: match: argument 1 should be type int`)
    return {kind: 'match', index: Number(call[2])}
  }
  if (/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(s)) return {kind: 'var', name: s}
  throw new TemplateError(`1:${col}: syntax error in '${s}'`)
}

/** Go RE2 syntax → a JavaScript RegExp (the common differences only). */
export function compileGoRegexp(src: string): RegExp {
  let flags = ''
  let body = src
  const lead = /^\(\?([imsU]+)\)/.exec(body)
  if (lead) {
    if (lead[1]!.includes('U')) throw new TemplateError('Bad Regexp: error parsing regexp: ungreedy mode (?U) is not supported')
    flags = [...new Set(lead[1]!.split(''))].join('')
    body = body.slice(lead[0].length)
  }
  body = body.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])')
  try {
    return new RegExp(body, flags)
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
    throw new TemplateError(`Bad Regexp: error parsing regexp: ${why.toLowerCase()}: \`${src}\``)
  }
}

function clone(q: PreparedQuery): PreparedQuery {
  return structuredClone(q) as PreparedQuery
}

/** Compile a template query (Consul's prepared_query.Compile): type, every field's syntax, the regexp, a test render. */
export function compileTemplate(q: PreparedQuery): CompiledTemplate {
  if (q.Template.Type !== TEMPLATE_NAME_PREFIX_MATCH) throw new TemplateError(`Bad Template.Type '${q.Template.Type}'`)
  const query = clone(q)
  const fields: CompiledTemplate['fields'] = []
  for (const field of stringFields(query.Service)) {
    const v = field.get(query.Service)
    try {
      fields.push({field, parts: parseInterpolation(v)})
    } catch (e) {
      throw new TemplateError(`Bad format '${v}' in Service${field.path}: ${(e as Error).message}`)
    }
  }
  const re = query.Template.Regexp !== '' ? compileGoRegexp(query.Template.Regexp) : undefined
  const ct = {query, fields, re}
  renderTemplate(ct, query.Name, {Datacenter: '', Segment: '', Node: '', Ip: ''})
  return ct
}

/** Render a compiled template for the name looked up (Consul's CompiledTemplate.Render). */
export function renderTemplate(ct: CompiledTemplate, name: string, source: QuerySource): PreparedQuery {
  const query = clone(ct.query)
  let matches: string[] = []
  if (ct.re) {
    const m = ct.re.exec(name)
    if (m) matches = [...m].map((g) => g ?? '')
  }
  const vars: Record<string, string> = {
    'name.full': name,
    'name.prefix': query.Name,
    'name.suffix': name.startsWith(query.Name) ? name.slice(query.Name.length) : name,
    'agent.segment': source.Segment,
  }
  for (const {field, parts} of ct.fields) {
    let out = ''
    for (const p of parts) {
      if ('lit' in p) {
        out += p.lit
        continue
      }
      if (p.expr.kind === 'match') {
        const i = p.expr.index
        out += i >= 0 && i < matches.length ? matches[i] : ''
        continue
      }
      if (!VARS.has(p.expr.name)) {
        throw new TemplateError(`Bad evaluation for '${field.get(ct.query.Service)}' in Service${field.path}: 1:${p.col}: unknown variable accessed: ${p.expr.name}`)
      }
      out += vars[p.expr.name]
    }
    field.set(query.Service, out)
  }
  if (query.Template.RemoveEmptyTags) query.Service.Tags = (query.Service.Tags ?? []).filter((t) => t !== '')
  return query
}
