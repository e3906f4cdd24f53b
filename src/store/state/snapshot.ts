import {pairKey, type ServiceRow} from './catalog-tables.js'
import {StateError} from './errors.js'
import type {LockDelay} from './delay.js'
import {encodeJson, fromUtf8, tagBytes, untagValue, utf8} from './json-bytes.js'
import {StateStore} from './store.js'
import {coordinateKey} from './coordinate-table.js'
import type {PreparedQuery} from './query-types.js'
import type {AutopilotConfig, CoordinateEntry, HealthCheck, KVEntry, Node, Session, Tombstone} from './types.js'
import type {SystemMetadataEntry} from './system-metadata.js'

/**
 * Snapshot format: the 6 magic bytes "DCSNAP", one version byte, then a UTF-8
 * JSON body holding every table (incl. tombstones, lock-delays and the index
 * table) in key order, KV values base64-encoded. Equal stores dump to equal
 * bytes, so a dump doubles as a state hash for replica comparison.
 */
const MAGIC = utf8('DCSNAP')
export const SNAPSHOT_VERSION = 1

interface Body {
  index: [string, number][]
  nodes: Node[]
  services: ServiceRow[]
  checks: HealthCheck[]
  sessions: Session[]
  kvs: KVEntry[]
  tombstones: Tombstone[]
  lockDelays: LockDelay[]
  /** Absent in dumps written before coordinates were stored. */
  coordinates?: CoordinateEntry[]
  /** Absent in dumps written before prepared queries were stored. */
  preparedQueries?: PreparedQuery[]
  /** Absent in dumps written before autopilot was stored, and while no leader has written it. */
  autopilot?: AutopilotConfig
  /** Absent while the table is empty (and in dumps written before it existed). */
  systemMetadata?: SystemMetadataEntry[]
}

/** The KV entry with its value in json-bytes' tagged form (the same bytes encodeJson would write). */
function taggedValue(e: KVEntry): KVEntry {
  return {...e, Value: tagBytes(e.Value) as unknown as Uint8Array}
}

export function dump(store: StateStore): Uint8Array {
  const t = store.tables
  const body: Body = {
    index: t.ctx.index.entries().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    nodes: t.nodes.list(),
    services: t.services.all(),
    checks: t.checks.all(),
    sessions: t.sessions.list(),
    kvs: [...t.kv.withPrefix('')].map(taggedValue),
    tombstones: t.tombstones.all(),
    lockDelays: t.delays.all(),
    coordinates: t.coordinates.list(),
    preparedQueries: t.queries.list(),
  }
  const ap = t.autopilot.current()
  if (ap) body.autopilot = ap
  if (t.systemMetadata.size) body.systemMetadata = t.systemMetadata.list()
  // KV values are the only bytes in a dump; tagging them up front lets JSON.stringify
  // run without a replacer callback (several times faster on large stores).
  const json = utf8(JSON.stringify(body))
  const out = new Uint8Array(MAGIC.length + 1 + json.length)
  out.set(MAGIC, 0)
  out[MAGIC.length] = SNAPSHOT_VERSION
  out.set(json, MAGIC.length + 1)
  return out
}

function parse(bytes: Uint8Array): Body {
  if (bytes.length < MAGIC.length + 1 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new StateError('invalid', 'snapshot: bad magic (not a dc snapshot)')
  }
  const version = bytes[MAGIC.length]
  if (version !== SNAPSHOT_VERSION) throw new StateError('invalid', `snapshot: unsupported version ${version}`)
  try {
    const body = JSON.parse(fromUtf8(bytes.subarray(MAGIC.length + 1))) as Body
    for (const e of body.kvs) (e as {Value: unknown}).Value = untagValue((e as {Value: unknown}).Value)
    return body
  } catch (err) {
    throw new StateError('invalid', `snapshot: corrupt body: ${(err as Error).message}`)
  }
}

/** Build a new store from a dump; records keep their indexes, the index table is restored verbatim. */
export function restore(bytes: Uint8Array): StateStore {
  const body = parse(bytes)
  const store = new StateStore()
  const t = store.tables
  t.ctx.write(() => {
    for (const n of body.nodes) t.nodes.set(n.Node.toLowerCase(), n)
    for (const r of body.services) t.services.set(pairKey(r.Node, r.Service.ID), {Node: r.Node, Service: Object.freeze(r.Service)})
    for (const c of body.checks) t.checks.set(pairKey(c.Node, c.CheckID), c)
    for (const s of body.sessions) t.sessions.set(s.ID, s)
    for (const e of body.kvs) t.kv.set(e.Key, e)
    for (const s of body.tombstones) t.tombstones.set(s.Key, s)
    for (const d of body.lockDelays) t.delays.set(d.Key, d)
    for (const c of body.coordinates ?? []) t.coordinates.set(coordinateKey(c.Node, c.Segment), c)
    for (const q of body.preparedQueries ?? []) t.queries.set(q.ID, q)
    if (body.autopilot) t.autopilot.put(body.autopilot)
    for (const e of body.systemMetadata ?? []) t.systemMetadata.set(e.Key, e)
    for (const [name, value] of body.index) t.ctx.index.restore(name, value)
  })
  return store
}

export interface SnapshotTypeSummary {
  /** Consul's record type names where they exist (Register = nodes + services + checks). */
  type: 'Register' | 'KVS' | 'Tombstone' | 'Session' | 'LockDelay' | 'CoordinateBatchUpdate' | 'PreparedQuery' | 'Autopilot' | 'SystemMetadata' | 'Index'
  count: number
  /** Bytes of the records' encoding. */
  size: number
}

export interface SnapshotSummary {
  version: number
  /** Highest index in the index table: the last Raft index that changed the data. */
  index: number
  types: SnapshotTypeSummary[]
}

/** Record counts and sizes by type of a live store. */
export function summary(store: StateStore): SnapshotSummary {
  return summarize(dump(store))
}

/** Record counts and sizes by type of a dump, for `dc snapshot inspect`. */
export function summarize(bytes: Uint8Array): SnapshotSummary {
  const body = parse(bytes)
  const size = (rows: unknown[]): number => rows.reduce<number>((n, r) => n + utf8(encodeJson(r)).length, 0)
  const register = [...body.nodes, ...body.services, ...body.checks]
  const types: SnapshotTypeSummary[] = [
    {type: 'Register', count: register.length, size: size(register)},
    {type: 'KVS', count: body.kvs.length, size: size(body.kvs)},
    {type: 'Tombstone', count: body.tombstones.length, size: size(body.tombstones)},
    {type: 'Session', count: body.sessions.length, size: size(body.sessions)},
    {type: 'LockDelay', count: body.lockDelays.length, size: size(body.lockDelays)},
    {type: 'CoordinateBatchUpdate', count: (body.coordinates ?? []).length, size: size(body.coordinates ?? [])},
    {type: 'PreparedQuery', count: (body.preparedQueries ?? []).length, size: size(body.preparedQueries ?? [])},
    {type: 'Autopilot', count: body.autopilot ? 1 : 0, size: body.autopilot ? size([body.autopilot]) : 0},
    // Listed only when present, so summaries of stores without it read as before.
    ...(body.systemMetadata?.length ? [{type: 'SystemMetadata' as const, count: body.systemMetadata.length, size: size(body.systemMetadata)}] : []),
    {type: 'Index', count: body.index.length, size: size(body.index)},
  ]
  return {version: SNAPSHOT_VERSION, index: body.index.reduce((m, [, v]) => Math.max(m, v), 0), types}
}
