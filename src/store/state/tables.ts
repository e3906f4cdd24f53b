import type {AutopilotConfigTable} from './autopilot.js'
import type {CheckTable, NodeTable, ServiceTable} from './catalog-tables.js'
import type {StoreContext} from './context.js'
import type {CoordinateTable} from './coordinate-table.js'
import type {LockDelayTable} from './delay.js'
import type {TombstoneTable} from './graveyard.js'
import type {KvTable} from './kv-table.js'
import type {PreparedQueryTable} from './query-table.js'
import type {SessionTable} from './session-table.js'
import type {SystemMetadataTable} from './system-metadata.js'

/** Every table of one store, passed to the operation modules (Consul's `tx`). */
export interface Tables {
  ctx: StoreContext
  kv: KvTable
  tombstones: TombstoneTable
  delays: LockDelayTable
  sessions: SessionTable
  nodes: NodeTable
  services: ServiceTable
  checks: CheckTable
  coordinates: CoordinateTable
  queries: PreparedQueryTable
  autopilot: AutopilotConfigTable
  systemMetadata: SystemMetadataTable
}
