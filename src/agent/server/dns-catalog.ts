import type {DnsCatalog} from '../dns/catalog-port.js'
import type {CheckServiceNode, Node, NodeService} from '../../store/state/types.js'
import type {StateStore} from '../../store/state/store.js'

/**
 * The DNS interface's read port over the local state store. DNS reads are stale by
 * default (Consul's allow_stale), so answers come from local state without a leader
 * round trip. Only the local datacenter exists until WAN federation arrives.
 */
export function dnsCatalog(datacenter: string, state: () => StateStore): DnsCatalog {
  const local = (dc: string) => dc.toLowerCase() === datacenter
  return {
    datacenter,
    index: () => state().maxIndex('nodes', 'services', 'checks'),
    knownDatacenters: () => [datacenter],
    serviceNodes(dc: string, service: string): readonly CheckServiceNode[] | undefined {
      if (!local(dc)) return []
      return state().checkServiceNodes(service).value
    },
    node(dc: string, name: string): Node | undefined {
      if (!local(dc)) return undefined
      return state().node(name).value
    },
    nodes: () => state().nodes().value,
    serviceInstances(): readonly {Node: Node; Service: NodeService}[] {
      const s = state()
      const out: {Node: Node; Service: NodeService}[] = []
      for (const node of s.nodes().value) {
        const ns = s.nodeServices(node.Node).value
        if (ns) for (const svc of ns.Services) out.push({Node: node, Service: svc})
      }
      return out
    },
  }
}
