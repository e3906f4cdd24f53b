import type {HealthCheckInput, NodeInput, NodeServiceInput, RegisterRequest} from './requests.js'
import type {HealthCheck, Node, NodeService} from './types.js'

/** Request → record with Consul's defaults; indexes are filled in by the writer. */

export function nodeFromRegister(req: RegisterRequest): Node {
  return nodeFromInput({
    ID: req.ID,
    Node: req.Node,
    Address: req.Address,
    Datacenter: req.Datacenter,
    TaggedAddresses: req.TaggedAddresses,
    Meta: req.NodeMeta,
  })
}

export function nodeFromInput(n: NodeInput): Node {
  return {
    ID: n.ID ?? '',
    Node: n.Node,
    Address: n.Address ?? '',
    Datacenter: n.Datacenter ?? '',
    TaggedAddresses: {...(n.TaggedAddresses ?? {})},
    Meta: {...(n.Meta ?? {})},
    CreateIndex: 0,
    ModifyIndex: 0,
  }
}

export function serviceFromInput(s: NodeServiceInput): NodeService {
  return {
    Kind: s.Kind ?? '',
    ID: s.ID || s.Service,
    Service: s.Service,
    Tags: [...(s.Tags ?? [])],
    Address: s.Address ?? '',
    TaggedAddresses: {...(s.TaggedAddresses ?? {})},
    Meta: {...(s.Meta ?? {})},
    Port: s.Port ?? 0,
    Weights: s.Weights ? {Passing: s.Weights.Passing, Warning: s.Weights.Warning} : {Passing: 1, Warning: 1},
    EnableTagOverride: s.EnableTagOverride ?? false,
    CreateIndex: 0,
    ModifyIndex: 0,
  }
}

export function checkFromInput(c: HealthCheckInput, node: string): HealthCheck {
  const hc: HealthCheck = {
    Node: c.Node || node,
    CheckID: c.CheckID || c.Name || '',
    Name: c.Name ?? '',
    Status: c.Status || 'critical',
    Notes: c.Notes ?? '',
    Output: c.Output ?? '',
    ServiceID: c.ServiceID ?? '',
    ServiceName: c.ServiceName ?? '',
    ServiceTags: [...(c.ServiceTags ?? [])],
    Type: c.Type ?? '',
    Definition: {...(c.Definition ?? {})},
    CreateIndex: 0,
    ModifyIndex: 0,
  }
  if (c.ExposedPort !== undefined) hc.ExposedPort = c.ExposedPort
  if (c.Interval !== undefined) hc.Interval = c.Interval
  if (c.Timeout !== undefined) hc.Timeout = c.Timeout
  return hc
}
