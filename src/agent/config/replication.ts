import {ConfigError, type RawConfig} from './load.js'

/**
 * dc's own `replication` stanza (Consul has none; users run consul-replicate): the
 * leader of this datacenter copies each KV prefix from source_datacenter.
 */
export interface ReplicationConfig {
  sourceDatacenter: string
  kvPrefixes: string[]
}

const KEYS = new Set(['kv_prefixes', 'source_datacenter'])
/** Where the replicator keeps its own progress (docs/datacenters.md); never a replicated prefix. */
export const REPLICATION_STATE_PREFIX = '_dc/replication/'

/** Parses and checks the stanza; undefined when absent. Every mistake is a ConfigError naming the key. */
export function parseReplication(raw: unknown, ownDatacenter: string): ReplicationConfig | undefined {
  if (raw === undefined) return undefined
  if (Array.isArray(raw) && raw.length === 1) raw = raw[0]
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('invalid value for replication: expected an object')
  const r = raw as RawConfig
  for (const k of Object.keys(r)) {
    if (!KEYS.has(k)) throw new ConfigError(`invalid config key replication.${k} (known: kv_prefixes, source_datacenter)`)
  }
  const source = r.source_datacenter
  if (typeof source !== 'string' || source === '') throw new ConfigError('invalid value for replication.source_datacenter: expected a datacenter name')
  const dc = source.toLowerCase()
  if (!/^[a-z0-9_-]+$/.test(dc)) throw new ConfigError(`invalid value for replication.source_datacenter: ${source} (letters, digits, '-' and '_' only)`)
  if (dc === ownDatacenter) throw new ConfigError(`invalid value for replication.source_datacenter: ${source} is this agent's own datacenter`)
  const prefixes = r.kv_prefixes
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== 'string')) {
    throw new ConfigError('invalid value for replication.kv_prefixes: expected a non-empty list of strings')
  }
  const list = [...new Set(prefixes as string[])]
  for (const p of list) {
    if (p.startsWith('/')) throw new ConfigError(`invalid value for replication.kv_prefixes: ${JSON.stringify(p)} must not start with "/"`)
    // The replicator's own state lives under this prefix; a prefix covering it would delete it.
    if (REPLICATION_STATE_PREFIX.startsWith(p) || p.startsWith(REPLICATION_STATE_PREFIX)) {
      throw new ConfigError(`invalid value for replication.kv_prefixes: ${JSON.stringify(p)} overlaps ${REPLICATION_STATE_PREFIX}, where replication keeps its state`)
    }
  }
  // Nested prefixes would be copied twice by two loops fighting over the same keys.
  for (const a of list) for (const b of list) {
    if (a !== b && b.startsWith(a)) throw new ConfigError(`invalid value for replication.kv_prefixes: ${JSON.stringify(b)} is inside ${JSON.stringify(a)}`)
  }
  return {sourceDatacenter: dc, kvPrefixes: list}
}
