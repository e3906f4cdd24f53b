import type {AgentContext} from '../context.js'
import type {CheckServiceNode, Node, NodeService, ServiceAddress} from '../../store/state/types.js'

/**
 * translate_wan_addrs: answers about another datacenter use the WAN addresses its nodes
 * and services advertise (Consul's TranslateAddresses), so a client here can reach them.
 */
export function translating(ctx: AgentContext, dc: string | null | undefined): boolean {
  return ctx.config.translateWanAddrs && !!dc && dc !== ctx.config.datacenter
}

/** Consul sets X-Consul-Translate-Addresses whenever the option is on. */
export function translateHeader(ctx: AgentContext): Record<string, string> | undefined {
  return ctx.config.translateWanAddrs ? {'X-Consul-Translate-Addresses': 'true'} : undefined
}

export function wanNodeAddress(address: string, tagged: Record<string, string> | undefined): string {
  return tagged?.wan || tagged?.wan_ipv4 || tagged?.wan_ipv6 || address
}

function wanServiceAddress(address: string, tagged: Record<string, ServiceAddress> | undefined): string {
  return tagged?.wan?.Address || tagged?.wan_ipv4?.Address || tagged?.wan_ipv6?.Address || address
}

export function translateNode(n: Node): Node {
  return {...n, Address: wanNodeAddress(n.Address, n.TaggedAddresses)}
}

export function translateService(s: NodeService): NodeService {
  return s.Address ? {...s, Address: wanServiceAddress(s.Address, s.TaggedAddresses)} : s
}

export function translateEntry(e: CheckServiceNode): CheckServiceNode {
  return {...e, Node: translateNode(e.Node), Service: translateService(e.Service)}
}
