import type {DnsPreparedQuery} from './dns/query-port.js'
import {EndpointError} from './server/endpoints/errors.js'
import type {RpcDelegate} from './server/endpoints/index.js'

/**
 * DNS's prepared-query lookups over the RPC seam, as Consul's DNS server calls
 * PreparedQuery.Execute: from this agent (for `_agent`), with the client's IP (for `_ip`),
 * stale when dns_config.allow_stale. Servers and client agents alike.
 */
export function dnsPreparedQuery(rpc: RpcDelegate, agent: {node: string; datacenter: string; allowStale: boolean}): DnsPreparedQuery {
  return async ({dc, idOrName, sourceIp}) => {
    try {
      const {value} = await rpc('PreparedQuery.Execute', {
        ...(dc ? {Datacenter: dc} : {}),
        AllowStale: agent.allowStale,
        QueryIDOrName: idOrName,
        Source: {Datacenter: dc || agent.datacenter, Node: '', Segment: '', Ip: sourceIp},
        Agent: {Node: agent.node, Datacenter: agent.datacenter, Segment: '', Ip: ''},
      })
      return {kind: 'ok', service: value.Service, datacenter: value.Datacenter, nodes: value.Nodes, ttl: value.DNS.TTL}
    } catch (e) {
      if (e instanceof EndpointError && (e.code === 'not-found' || e.code === 'no-path')) return {kind: 'not-found'}
      return {kind: 'error', message: (e as Error).message}
    }
  }
}
