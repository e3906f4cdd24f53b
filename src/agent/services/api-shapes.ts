import type {CheckServiceNode, HealthCheck, Node, NodeService, ServiceNodeRow} from '../../store/state/types.js'

/**
 * Records as Consul's HTTP API renders them (field names, order, which fields are
 * always present and which are omitted when empty). Handlers and the filter see the
 * same objects, so `?filter=` selectors are Consul's field names.
 */

/** structs.Node (catalog/nodes, health entries). */
export function renderNode(n: Node) {
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter,
    TaggedAddresses: {...n.TaggedAddresses},
    Meta: {...n.Meta},
    CreateIndex: n.CreateIndex,
    ModifyIndex: n.ModifyIndex,
  }
}

/** structs.NodeService (catalog/node, health entries' Service). Kind and TaggedAddresses are omitted when empty. */
export function renderNodeService(s: NodeService) {
  return {
    ...(s.Kind ? {Kind: s.Kind} : {}),
    ID: s.ID,
    Service: s.Service,
    Tags: [...s.Tags],
    Address: s.Address,
    ...(Object.keys(s.TaggedAddresses).length ? {TaggedAddresses: s.TaggedAddresses} : {}),
    Meta: {...s.Meta},
    Port: s.Port,
    Weights: {...s.Weights},
    EnableTagOverride: s.EnableTagOverride,
    Proxy: {MeshGateway: {}, Expose: {}},
    Connect: {},
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  }
}

/** structs.ServiceNode: the flattened row of /v1/catalog/service/:name. */
export function renderServiceNode(row: ServiceNodeRow) {
  const {Node: n, Service: s} = row
  return {
    ID: n.ID,
    Node: n.Node,
    Address: n.Address,
    Datacenter: n.Datacenter,
    TaggedAddresses: {...n.TaggedAddresses},
    NodeMeta: {...n.Meta},
    ServiceKind: s.Kind,
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: [...s.Tags],
    ServiceAddress: s.Address,
    ServiceTaggedAddresses: {...s.TaggedAddresses},
    ServiceWeights: {...s.Weights},
    ServiceMeta: {...s.Meta},
    ServicePort: s.Port,
    ServiceSocketPath: '',
    ServiceEnableTagOverride: s.EnableTagOverride,
    ServiceProxy: {MeshGateway: {}, Expose: {}},
    ServiceConnect: {},
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  }
}

/** structs.HealthCheck. */
export function renderHealthCheck(c: HealthCheck) {
  return {
    Node: c.Node,
    CheckID: c.CheckID,
    Name: c.Name,
    Status: c.Status,
    Notes: c.Notes,
    Output: c.Output,
    ServiceID: c.ServiceID,
    ServiceName: c.ServiceName,
    ServiceTags: [...(c.ServiceTags ?? [])],
    Type: c.Type,
    Interval: c.Interval ?? '',
    Timeout: c.Timeout ?? '',
    ExposedPort: c.ExposedPort ?? 0,
    Definition: {...c.Definition},
    CreateIndex: c.CreateIndex,
    ModifyIndex: c.ModifyIndex,
  }
}

/** structs.CheckServiceNode: one entry of /v1/health/service/:name. */
export function renderCheckServiceNode(e: CheckServiceNode) {
  return {Node: renderNode(e.Node), Service: renderNodeService(e.Service), Checks: e.Checks.map(renderHealthCheck)}
}

/**
 * api.AgentService (/v1/agent/services, /v1/agent/service/:id): the local view, with
 * the agent's datacenter; Kind and TaggedAddresses omitted when empty, indexes omitted
 * (the agent does not know them).
 */
export function renderAgentService(s: NodeService, datacenter: string) {
  return {
    ...(s.Kind ? {Kind: s.Kind} : {}),
    ID: s.ID,
    Service: s.Service,
    Tags: [...s.Tags],
    Meta: {...s.Meta},
    Port: s.Port,
    Address: s.Address,
    ...(Object.keys(s.TaggedAddresses).length ? {TaggedAddresses: s.TaggedAddresses} : {}),
    Weights: {...s.Weights},
    EnableTagOverride: s.EnableTagOverride,
    Datacenter: datacenter,
  }
}

/** What `?filter=` sees for an agent service: every field, including those omitted when empty. */
export function agentServiceFilterView(s: NodeService, datacenter: string) {
  return {Kind: s.Kind, TaggedAddresses: s.TaggedAddresses, ...renderAgentService(s, datacenter)}
}

/** api.HealthChecks.AggregatedStatus: maintenance wins, then critical, warning, passing. */
export function aggregatedStatus(checks: HealthCheck[]): string {
  let passing = false
  let warning = false
  let critical = false
  let maintenance = false
  for (const c of checks) {
    if (c.CheckID === '_node_maintenance' || c.CheckID.startsWith('_service_maintenance:')) {
      maintenance = true
      continue
    }
    if (c.Status === 'passing') passing = true
    else if (c.Status === 'warning') warning = true
    else if (c.Status === 'critical') critical = true
    else return ''
  }
  if (maintenance) return 'maintenance'
  if (critical) return 'critical'
  if (warning) return 'warning'
  if (passing) return 'passing'
  return 'passing'
}
