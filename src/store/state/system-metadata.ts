import {Table} from './context.js'
import type {Tables} from './tables.js'
import type {RaftIndex} from './types.js'
import type {WatchSet} from './watch.js'

/** Index-table name of Consul's "system-metadata" table: key/values the servers keep for themselves. */
export const SYSTEM_METADATA_TABLE = 'system-metadata'

/** structs.SystemMetadataEntry: not user data (no HTTP endpoint lists it). */
export interface SystemMetadataEntry extends RaftIndex {
  Key: string
  Value: string
}

export class SystemMetadataTable extends Table<SystemMetadataEntry> {
  list(): SystemMetadataEntry[] {
    return [...this.rows.values()].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0))
  }

  protected override reindex(): void {
    this.ctx.touch('table:' + SYSTEM_METADATA_TABLE)
  }
}

export function systemMetadataGet(t: Tables, key: string, ws?: WatchSet): {index: number; entry: SystemMetadataEntry | undefined} {
  ws?.add('table:' + SYSTEM_METADATA_TABLE)
  return {index: t.ctx.index.max(SYSTEM_METADATA_TABLE), entry: t.systemMetadata.get(key)}
}

/**
 * Sets `key` at idx (keeping the first write's CreateIndex). With `createOnly` (dc's own
 * op, for values chosen once, such as the cluster's ID) an existing key is left as it is
 * and the answer is false.
 */
export function systemMetadataSetTxn(t: Tables, idx: number, entry: {Key: string; Value: string}, createOnly: boolean): boolean {
  const existing = t.systemMetadata.get(entry.Key)
  if (existing && createOnly) return false
  t.systemMetadata.set(entry.Key, {Key: entry.Key, Value: entry.Value, CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx})
  t.ctx.index.bump(SYSTEM_METADATA_TABLE, idx)
  return true
}

export function systemMetadataDeleteTxn(t: Tables, idx: number, key: string): void {
  if (!t.systemMetadata.has(key)) return
  t.systemMetadata.delete(key)
  t.ctx.index.bump(SYSTEM_METADATA_TABLE, idx)
}
