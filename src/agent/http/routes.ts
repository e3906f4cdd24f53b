import type {AgentContext} from '../context.js'
import type {RuntimeConfig} from '../config/runtime.js'
import type {Route} from './types.js'
import * as agent from './handlers/agent.js'
import * as agentServices from './handlers/agent-services.js'
import * as catalog from './handlers/catalog.js'
import * as event from './handlers/event.js'
import * as keyring from './handlers/keyring.js'
import * as coordinate from './handlers/coordinate.js'
import * as health from './handlers/health.js'
import * as kv from './handlers/kv.js'
import * as preparedQuery from './handlers/prepared-query.js'
import * as replication from './handlers/replication.js'
import * as operator from './handlers/operator.js'
import * as session from './handlers/session.js'
import * as status from './handlers/status.js'
import * as txn from './handlers/txn.js'
import * as ui from './handlers/ui.js'

const GET = ['GET']
const PUT = ['PUT']

/**
 * The agent's whole table: the API below, the root, and the web UI at its content
 * path when it is on (the path is configurable, hence a function of the config).
 */
export function agentRoutes(config: Pick<RuntimeConfig, 'ui' | 'uiContentPath'>): Route<AgentContext>[] {
  return [
    ...routes,
    // Consul answers / for any method.
    {path: '/', exact: true, methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'], handler: ui.index},
    ...(config.ui
      ? [
          {path: '/robots.txt', methods: ['GET', 'HEAD'], handler: ui.robots},
          {path: config.uiContentPath, methods: ['GET', 'HEAD'], handler: ui.ui},
        ]
      : []),
  ]
}

/**
 * The one route table: every /v1 path dc serves, its methods and handler, in the
 * order of Consul's agent/http_register.go. A trailing slash makes a prefix route.
 */
export const routes: Route<AgentContext>[] = [
  // agent (local node)
  {path: '/v1/agent/self', methods: GET, handler: agent.self},
  {path: '/v1/agent/version', methods: GET, handler: agent.version},
  {path: '/v1/agent/host', methods: GET, handler: agent.host},
  {path: '/v1/agent/members', methods: GET, handler: agent.members},
  {path: '/v1/agent/join/', methods: PUT, handler: agent.join},
  {path: '/v1/agent/leave', methods: PUT, handler: agent.leave},
  {path: '/v1/agent/force-leave/', methods: PUT, handler: agent.forceLeave},
  {path: '/v1/agent/reload', methods: PUT, handler: agent.reload},
  {path: '/v1/agent/maintenance', methods: PUT, handler: agentServices.nodeMaintenance},
  {path: '/v1/agent/services', methods: GET, handler: agentServices.services},
  {path: '/v1/agent/service/register', methods: PUT, handler: agentServices.serviceRegister},
  {path: '/v1/agent/service/deregister/', methods: PUT, handler: agentServices.serviceDeregister},
  {path: '/v1/agent/service/maintenance/', methods: PUT, handler: agentServices.serviceMaintenance},
  {path: '/v1/agent/service/', methods: GET, handler: agentServices.service},
  {path: '/v1/agent/checks', methods: GET, handler: agentServices.checks},
  {path: '/v1/agent/check/register', methods: PUT, handler: agentServices.checkRegister},
  {path: '/v1/agent/check/deregister/', methods: PUT, handler: agentServices.checkDeregister},
  {path: '/v1/agent/check/pass/', methods: PUT, handler: agentServices.checkPass},
  {path: '/v1/agent/check/warn/', methods: PUT, handler: agentServices.checkWarn},
  {path: '/v1/agent/check/fail/', methods: PUT, handler: agentServices.checkFail},
  {path: '/v1/agent/check/update/', methods: PUT, handler: agentServices.checkUpdate},
  {path: '/v1/agent/health/service/id/', methods: GET, handler: agentServices.healthServiceById},
  {path: '/v1/agent/health/service/name/', methods: GET, handler: agentServices.healthServiceByName},
  // catalog
  {path: '/v1/catalog/register', methods: PUT, handler: catalog.register},
  {path: '/v1/catalog/deregister', methods: PUT, handler: catalog.deregister},
  {path: '/v1/catalog/datacenters', methods: GET, handler: catalog.datacenters},
  {path: '/v1/catalog/nodes', methods: GET, handler: catalog.nodes},
  {path: '/v1/catalog/services', methods: GET, handler: catalog.services},
  {path: '/v1/catalog/service/', methods: GET, handler: catalog.service},
  {path: '/v1/catalog/node/', methods: GET, handler: catalog.node},
  {path: '/v1/catalog/node-services/', methods: GET, handler: catalog.nodeServices},
  // health
  {path: '/v1/health/node/', methods: GET, handler: health.node},
  {path: '/v1/health/checks/', methods: GET, handler: health.checks},
  {path: '/v1/health/service/', methods: GET, handler: health.service},
  {path: '/v1/health/state/', methods: GET, handler: health.state},
  // user events
  {path: '/v1/event/fire/', methods: PUT, handler: event.fire},
  {path: '/v1/event/list', methods: GET, handler: event.list},
  // network coordinates
  {path: '/v1/coordinate/datacenters', methods: GET, handler: coordinate.datacenters},
  {path: '/v1/coordinate/nodes', methods: GET, handler: coordinate.nodes},
  {path: '/v1/coordinate/node/', methods: GET, handler: coordinate.node},
  {path: '/v1/coordinate/update', methods: PUT, handler: coordinate.update},
  // kv, sessions, transactions
  {path: '/v1/kv/', methods: ['GET', 'PUT', 'DELETE'], handler: kv.kv},
  {path: '/v1/session/create', methods: PUT, handler: session.create},
  {path: '/v1/session/destroy/', methods: PUT, handler: session.destroy},
  {path: '/v1/session/renew/', methods: PUT, handler: session.renew},
  {path: '/v1/session/info/', methods: GET, handler: session.info},
  {path: '/v1/session/node/', methods: GET, handler: session.node},
  {path: '/v1/session/list', methods: GET, handler: session.list},
  {path: '/v1/txn', methods: PUT, handler: txn.txn},
  // prepared queries
  {path: '/v1/query', methods: ['GET', 'POST'], handler: preparedQuery.general},
  {path: '/v1/query/', methods: ['GET', 'PUT', 'DELETE'], handler: preparedQuery.specific},
  // status and operator
  {path: '/v1/status/leader', methods: GET, handler: status.leader},
  {path: '/v1/status/peers', methods: GET, handler: status.peers},
  {path: '/v1/operator/raft/configuration', methods: GET, handler: operator.raftConfiguration},
  {path: '/v1/operator/raft/peer', methods: ['DELETE'], handler: operator.raftPeer},
  {path: '/v1/operator/raft/transfer-leader', methods: ['POST'], handler: operator.raftTransferLeader},
  {path: '/v1/operator/autopilot/configuration', methods: ['GET', 'PUT'], handler: operator.autopilotConfiguration},
  {path: '/v1/operator/autopilot/health', methods: GET, handler: operator.autopilotHealth},
  {path: '/v1/operator/autopilot/state', methods: GET, handler: operator.autopilotState},
  {path: '/v1/operator/keyring', methods: ['GET', 'POST', 'PUT', 'DELETE'], handler: keyring.keyring},
  // dc's own (not in Consul): KV prefix replication between datacenters, docs/datacenters.md
  {path: '/v1/replication/status', methods: GET, handler: replication.status},
]
