/**
 * Decodes a prepared query definition the way Consul's JSON decoding into
 * structs.PreparedQuery does: keys match field names case-insensitively, unknown keys
 * are ignored, a value of the wrong JSON type is an error naming the field.
 */
import {normalizeQuery, type PreparedQuery} from '../../../store/state/query-types.js'
import {badRequest} from '../errors.js'

type Kind = 'string' | 'int' | 'bool' | 'strings' | 'map' | Schema | {list: Schema}
interface Schema {
  [field: string]: Kind
}

const TARGET: Schema = {Peer: 'string', Datacenter: 'string', Partition: 'string', Namespace: 'string'}
const SCHEMA: Schema = {
  ID: 'string', Name: 'string', Session: 'string', Token: 'string',
  Template: {Type: 'string', Regexp: 'string', RemoveEmptyTags: 'bool'},
  Service: {
    Service: 'string', SamenessGroup: 'string', Namespace: 'string', Partition: 'string',
    Failover: {NearestN: 'int', Datacenters: 'strings', Targets: {list: TARGET}},
    OnlyPassing: 'bool', IgnoreCheckIDs: 'strings', Near: 'string', Tags: 'strings', NodeMeta: 'map', ServiceMeta: 'map',
    Connect: 'bool', Peer: 'string',
  },
  DNS: {TTL: 'string'},
}

const GO_TYPE: Record<string, string> = {string: 'string', int: 'int', bool: 'bool', strings: '[]string', map: 'map[string]string'}

function jsonKind(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return 'object'
  return typeof v
}

function fail(v: unknown, path: string, goType: string): never {
  throw badRequest(`Request decode failed: json: cannot unmarshal ${jsonKind(v)} into Go struct field PreparedQuery.${path} of type ${goType}`)
}

function decode(v: unknown, kind: Kind, path: string): unknown {
  if (v === null) return undefined // JSON null leaves Go's zero value
  if (typeof kind === 'string') {
    switch (kind) {
      case 'string':
        return typeof v === 'string' ? v : fail(v, path, 'string')
      case 'bool':
        return typeof v === 'boolean' ? v : fail(v, path, 'bool')
      case 'int':
        return typeof v === 'number' && Number.isInteger(v) ? v : fail(v, path, 'int')
      case 'strings':
        if (!Array.isArray(v)) fail(v, path, '[]string')
        return v.map((x) => (typeof x === 'string' ? x : fail(x, path, 'string')))
      case 'map':
        if (jsonKind(v) !== 'object') fail(v, path, GO_TYPE.map!)
        return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, typeof x === 'string' ? x : fail(x, path, 'string')]))
    }
  }
  if ('list' in kind && Object.keys(kind).length === 1) {
    if (!Array.isArray(v)) fail(v, path, '[]QueryFailoverTarget')
    return v.map((x) => decode(x, kind.list as Schema, path))
  }
  if (jsonKind(v) !== 'object') fail(v, path, path.split('.').pop() ?? 'struct')
  const schema = kind as Schema
  const byLower = new Map(Object.keys(schema).map((k) => [k.toLowerCase(), k]))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v as object)) {
    const field = byLower.get(k.toLowerCase())
    if (!field) continue
    const d = decode(x, schema[field]!, path ? `${path}.${field}` : field)
    if (d !== undefined) out[field] = d
  }
  return out
}

/** The request body as a full definition; 400 "Request decode failed: …" on bad JSON or types. */
export function decodeQueryBody(body: Buffer): PreparedQuery {
  let raw: unknown
  if (body.toString('utf8').trim() === '') throw badRequest('Request decode failed: EOF')
  try {
    raw = JSON.parse(body.toString('utf8'))
  } catch (e) {
    throw badRequest(`Request decode failed: ${(e as Error).message}`)
  }
  if (raw === null) return normalizeQuery({})
  if (jsonKind(raw) !== 'object') throw badRequest(`Request decode failed: json: cannot unmarshal ${jsonKind(raw)} into Go value of type structs.PreparedQuery`)
  return normalizeQuery(decode(raw, SCHEMA, '') as Parameters<typeof normalizeQuery>[0])
}
