import type {AutopilotConfigInput} from '../../../store/state/types.js'

/** Consul's autopilot defaults (agent/config/default.go; api.NewAutopilotConfiguration). */
export const DEFAULT_AUTOPILOT_CONFIG: Readonly<AutopilotConfigInput> = Object.freeze({
  CleanupDeadServers: true,
  LastContactThresholdMs: 200,
  MaxTrailingLogs: 250,
  MinQuorum: 0,
  ServerStabilizationTimeMs: 10_000,
  RedundancyZoneTag: '',
  DisableUpgradeMigration: false,
  UpgradeVersionTag: '',
})

/** The subset of the configuration the health and reconcile logic reads. */
export type AutopilotSettings = Pick<AutopilotConfigInput, 'CleanupDeadServers' | 'LastContactThresholdMs' | 'MaxTrailingLogs' | 'MinQuorum' | 'ServerStabilizationTimeMs'>
