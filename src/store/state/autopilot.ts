import {Table} from './context.js'
import type {Tables} from './tables.js'
import type {AutopilotConfig, AutopilotConfigInput} from './types.js'
import type {WatchSet} from './watch.js'

/** Index-table name of the autopilot configuration (Consul's "autopilot-config" table). */
export const AUTOPILOT_TABLE = 'autopilot-config'
const KEY = 'config'

/** The single-row autopilot configuration table. */
export class AutopilotConfigTable extends Table<AutopilotConfig> {
  current(): AutopilotConfig | undefined {
    return this.rows.get(KEY)
  }

  put(row: AutopilotConfig): void {
    this.set(KEY, row)
  }

  protected override reindex(): void {
    this.ctx.touch('table:' + AUTOPILOT_TABLE)
  }
}

export function autopilotConfig(t: Tables, ws?: WatchSet): {index: number; value: AutopilotConfig | undefined} {
  ws?.add('table:' + AUTOPILOT_TABLE)
  return {index: t.ctx.index.max(AUTOPILOT_TABLE), value: t.autopilot.current()}
}

/** Writes the configuration at idx, keeping the first write's CreateIndex. */
export function autopilotSetConfigTxn(t: Tables, idx: number, input: AutopilotConfigInput): void {
  const existing = t.autopilot.current()
  t.autopilot.put({
    CleanupDeadServers: input.CleanupDeadServers,
    LastContactThresholdMs: input.LastContactThresholdMs,
    MaxTrailingLogs: input.MaxTrailingLogs,
    MinQuorum: input.MinQuorum,
    ServerStabilizationTimeMs: input.ServerStabilizationTimeMs,
    RedundancyZoneTag: input.RedundancyZoneTag,
    DisableUpgradeMigration: input.DisableUpgradeMigration,
    UpgradeVersionTag: input.UpgradeVersionTag,
    CreateIndex: existing?.CreateIndex ?? idx,
    ModifyIndex: idx,
  })
  t.ctx.index.bump(AUTOPILOT_TABLE, idx)
}

/**
 * Consul's AutopilotCASConfig: writes only when a configuration exists and its
 * ModifyIndex equals cas (so a CAS never creates the first configuration).
 */
export function autopilotCASConfigTxn(t: Tables, idx: number, cas: number, input: AutopilotConfigInput): boolean {
  const existing = t.autopilot.current()
  if (!existing || existing.ModifyIndex !== cas) return false
  autopilotSetConfigTxn(t, idx, input)
  return true
}
