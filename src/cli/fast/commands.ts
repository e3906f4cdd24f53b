/**
 * The thin client commands: each parses its flags and makes HTTP calls to an agent, and
 * nothing else of oclif's. bin/run.js runs these without oclif (the fast path, see
 * docs/cli.md); every other command, help, and anything the fast parser declines runs
 * through oclif. scripts/build-cli-fast.mjs builds the table and the bundle from this list.
 */
import type {Command} from '@oclif/core'
import CatalogDatacenters from '../../commands/catalog/datacenters.js'
import CatalogNodes from '../../commands/catalog/nodes.js'
import CatalogServices from '../../commands/catalog/services.js'
import Event from '../../commands/event.js'
import ForceLeave from '../../commands/force-leave.js'
import Info from '../../commands/info.js'
import Join from '../../commands/join.js'
import Keyring from '../../commands/keyring.js'
import KvDelete from '../../commands/kv/delete.js'
import KvExport from '../../commands/kv/export.js'
import KvGet from '../../commands/kv/get.js'
import KvImport from '../../commands/kv/import.js'
import KvPut from '../../commands/kv/put.js'
import Leave from '../../commands/leave.js'
import Maint from '../../commands/maint.js'
import Members from '../../commands/members.js'
import OperatorRaftListPeers from '../../commands/operator/raft/list-peers.js'
import Reload from '../../commands/reload.js'
import Rtt from '../../commands/rtt.js'
import ServicesDeregister from '../../commands/services/deregister.js'
import ServicesRegister from '../../commands/services/register.js'

export const FAST_COMMANDS: Record<string, Command.Class> = {
  'catalog:datacenters': CatalogDatacenters,
  'catalog:nodes': CatalogNodes,
  'catalog:services': CatalogServices,
  'event': Event,
  'force-leave': ForceLeave,
  'info': Info,
  'join': Join,
  'keyring': Keyring,
  'kv:delete': KvDelete,
  'kv:export': KvExport,
  'kv:get': KvGet,
  'kv:import': KvImport,
  'kv:put': KvPut,
  'leave': Leave,
  'maint': Maint,
  'members': Members,
  'operator:raft:list-peers': OperatorRaftListPeers,
  'reload': Reload,
  'rtt': Rtt,
  'services:deregister': ServicesDeregister,
  'services:register': ServicesRegister,
}
