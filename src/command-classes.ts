/**
 * Every command class by oclif id, sorted. oclif finds commands here (package.json
 * `oclif.commands`, strategy "explicit", through ./command-list.ts) rather than by scanning
 * dist/commands, so the CLI bundle can carry them and `oclif manifest` lists them in this
 * order on every machine. test/unit/manifest.test.ts checks this list against src/commands.
 */
import type {Command} from '@oclif/core'
import Agent from './commands/agent.js'
import CatalogDatacenters from './commands/catalog/datacenters.js'
import CatalogNodes from './commands/catalog/nodes.js'
import CatalogServices from './commands/catalog/services.js'
import Event from './commands/event.js'
import ForceLeave from './commands/force-leave.js'
import Info from './commands/info.js'
import Join from './commands/join.js'
import Keygen from './commands/keygen.js'
import Keyring from './commands/keyring.js'
import KvDelete from './commands/kv/delete.js'
import KvExport from './commands/kv/export.js'
import KvGet from './commands/kv/get.js'
import KvImport from './commands/kv/import.js'
import KvPut from './commands/kv/put.js'
import Leave from './commands/leave.js'
import Maint from './commands/maint.js'
import Members from './commands/members.js'
import OperatorAutopilotGetConfig from './commands/operator/autopilot/get-config.js'
import OperatorAutopilotSetConfig from './commands/operator/autopilot/set-config.js'
import OperatorAutopilotState from './commands/operator/autopilot/state.js'
import OperatorRaftListPeers from './commands/operator/raft/list-peers.js'
import OperatorRaftRecover from './commands/operator/raft/recover.js'
import OperatorRaftRemovePeer from './commands/operator/raft/remove-peer.js'
import OperatorRaftTransferLeader from './commands/operator/raft/transfer-leader.js'
import Reload from './commands/reload.js'
import ReplicationStatus from './commands/replication/status.js'
import Rtt from './commands/rtt.js'
import ServicesDeregister from './commands/services/deregister.js'
import ServicesRegister from './commands/services/register.js'
import Validate from './commands/validate.js'
import Version from './commands/version.js'

export const COMMAND_CLASSES: Record<string, Command.Class> = {
  'agent': Agent,
  'catalog:datacenters': CatalogDatacenters,
  'catalog:nodes': CatalogNodes,
  'catalog:services': CatalogServices,
  'event': Event,
  'force-leave': ForceLeave,
  'info': Info,
  'join': Join,
  'keygen': Keygen,
  'keyring': Keyring,
  'kv:delete': KvDelete,
  'kv:export': KvExport,
  'kv:get': KvGet,
  'kv:import': KvImport,
  'kv:put': KvPut,
  'leave': Leave,
  'maint': Maint,
  'members': Members,
  'operator:autopilot:get-config': OperatorAutopilotGetConfig,
  'operator:autopilot:set-config': OperatorAutopilotSetConfig,
  'operator:autopilot:state': OperatorAutopilotState,
  'operator:raft:list-peers': OperatorRaftListPeers,
  'operator:raft:recover': OperatorRaftRecover,
  'operator:raft:remove-peer': OperatorRaftRemovePeer,
  'operator:raft:transfer-leader': OperatorRaftTransferLeader,
  'reload': Reload,
  'replication:status': ReplicationStatus,
  'rtt': Rtt,
  'services:deregister': ServicesDeregister,
  'services:register': ServicesRegister,
  'validate': Validate,
  'version': Version,
}
