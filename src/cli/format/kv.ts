import {decodeValue, type KVPair} from '../../api/client.js'
import {alignPairs} from '../render.js'

/** The value as `kv get` prints it: raw bytes, or their base64 with -base64. */
export function kvValue(pair: KVPair, base64: boolean): Buffer {
  const bytes = decodeValue(pair)
  return base64 ? Buffer.from(bytes.toString('base64')) : bytes
}

/** `key:value`, one line of `kv get -recurse`. */
export function kvLine(pair: KVPair, base64: boolean): Buffer {
  return Buffer.concat([Buffer.from(`${pair.Key}:`), kvValue(pair, base64)])
}

/**
 * `kv get -detailed`: Consul's tabwriter block (labels padded to the widest plus
 * six spaces), Session `-` when unlocked, the value last and unaligned.
 */
export function kvDetailed(pair: KVPair, base64: boolean): Buffer {
  const rows: [string, string][] = [
    ['CreateIndex', String(pair.CreateIndex)],
    ['Flags', String(pair.Flags)],
    ['Key', pair.Key],
    ['LockIndex', String(pair.LockIndex)],
    ['ModifyIndex', String(pair.ModifyIndex)],
    ['Session', pair.Session || '-'],
    ['Value', ''],
  ]
  return Buffer.concat([Buffer.from(alignPairs(rows)), kvValue(pair, base64)])
}

/** One entry of `kv export` / `kv import` (Consul's impexp.Entry). */
export interface KvExportEntry {
  key: string
  flags: number
  /** base64 */
  value: string
  namespace?: string
  partition?: string
}

export function toExportEntry(pair: KVPair): KvExportEntry {
  const e: KvExportEntry = {key: pair.Key, flags: pair.Flags, value: pair.Value ?? ''}
  if (pair.Namespace) e.namespace = pair.Namespace
  if (pair.Partition) e.partition = pair.Partition
  return e
}

/** Consul marshals the export with tab indentation. */
export function exportJson(entries: readonly KvExportEntry[]): string {
  return JSON.stringify(entries, null, '\t')
}

/** Parse `kv import` data; throws with Consul's wording on bad input. */
export function parseImport(text: string): KvExportEntry[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new Error(`Cannot unmarshal data: ${(e as Error).message}`)
  }
  if (!Array.isArray(data)) throw new Error('Cannot unmarshal data: expected a JSON array of {"key", "flags", "value"} entries')
  return data.map((raw, i) => {
    const e = raw as Partial<KvExportEntry> | null
    if (!e || typeof e.key !== 'string') throw new Error(`Cannot unmarshal data: entry ${i} has no "key"`)
    const value = typeof e.value === 'string' ? e.value : ''
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
      throw new Error(`Error base 64 decoding value for key ${e.key}: illegal base64 data`)
    }
    return {key: e.key, flags: Number(e.flags ?? 0), value, ...(e.namespace ? {namespace: e.namespace} : {})}
  })
}
