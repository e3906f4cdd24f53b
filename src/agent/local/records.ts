import {formatDuration} from '../config/duration.js'
import {definitionView} from '../services/render.js'
import type {CheckDefinition, ServiceDefinition} from '../services/types.js'
import type {HealthCheckInput, NodeServiceInput} from '../../store/state/requests.js'
import type {HealthCheck, HealthStatus, NodeService} from '../../store/state/types.js'

/** Check types Consul names; maintenance checks use "maintenance". */
export const MAINTENANCE_TYPE = 'maintenance'
export const NODE_MAINT_CHECK_ID = '_node_maintenance'
export const SERVICE_MAINT_PREFIX = '_service_maintenance:'
export const DEFAULT_NODE_MAINT_REASON = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.'
export const DEFAULT_SERVICE_MAINT_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.'

/** The catalog record a local service definition becomes (indexes 0: the agent never knows them). */
export function serviceRecord(def: ServiceDefinition): NodeService {
  return {
    Kind: '',
    ID: def.id,
    Service: def.name,
    Tags: [...def.tags],
    Address: def.address,
    TaggedAddresses: structuredClone(def.taggedAddresses),
    Meta: {...def.meta},
    Port: def.port,
    Weights: {...def.weights},
    EnableTagOverride: def.enableTagOverride,
    CreateIndex: 0,
    ModifyIndex: 0,
  }
}

/** The catalog record of a check as the agent runs it (Consul's addServiceInternal / CheckDefinition.HealthCheck). */
export function checkRecord(def: CheckDefinition, node: string, service: NodeService | undefined, status: HealthStatus, output: string): HealthCheck {
  const hc: HealthCheck = {
    Node: node,
    CheckID: def.id,
    Name: def.name,
    Status: status,
    Notes: def.notes,
    Output: output,
    ServiceID: service ? service.ID : '',
    ServiceName: service ? service.Service : '',
    ServiceTags: service ? [...service.Tags] : [],
    Type: def.kind === 'plugin' ? def.pluginType : def.kind,
    Definition: definitionView(def),
    CreateIndex: 0,
    ModifyIndex: 0,
  }
  if (def.intervalMs) hc.Interval = formatDuration(def.intervalMs)
  if (def.timeoutMs) hc.Timeout = formatDuration(def.timeoutMs)
  return hc
}

export function serviceInput(s: NodeService): NodeServiceInput {
  return {
    ID: s.ID,
    Service: s.Service,
    Kind: s.Kind,
    Tags: s.Tags,
    Address: s.Address,
    TaggedAddresses: s.TaggedAddresses,
    Meta: s.Meta,
    Port: s.Port,
    Weights: s.Weights,
    EnableTagOverride: s.EnableTagOverride,
  }
}

export function checkInput(c: HealthCheck): HealthCheckInput {
  const input: HealthCheckInput = {
    Node: c.Node,
    CheckID: c.CheckID,
    Name: c.Name,
    Status: c.Status,
    Notes: c.Notes,
    Output: c.Output,
    ServiceID: c.ServiceID,
    ServiceName: c.ServiceName,
    ServiceTags: c.ServiceTags,
    Type: c.Type,
    Definition: c.Definition,
  }
  if (c.Interval !== undefined) input.Interval = c.Interval
  if (c.Timeout !== undefined) input.Timeout = c.Timeout
  return input
}
