/**
 * The narrow, synchronous read view the DNS server needs from the state store.
 * The agent's composition root implements it over the real store; tests use an
 * in-memory fake (test/unit/dns/fake-catalog.ts).
 *
 * Contract for implementations:
 * - Every method is synchronous, side-effect free and cheap enough to call per
 *   query on a cache miss. Returned arrays are read-only views: DNS never mutates them.
 * - Names (services, nodes) match case-insensitively, as Consul's catalog does.
 * - `index()` must change whenever anything any method here returns could change
 *   (max Raft index of the nodes, services and checks tables). DNS caches answers
 *   keyed by (question, index()), so a stale index means stale answers.
 * - Service `Address` is "" when the service was registered without one (as in
 *   Consul): DNS then answers with the node address and a `<node>.node.` SRV target;
 *   an explicit address yields an `<hex>.addr.` SRV target with its own glue.
 */
import type {CheckServiceNode, Node, NodeService} from '../../store/state/types.js'

export interface DnsCatalog {
  /** The agent's own datacenter (lower-case). */
  readonly datacenter: string
  /** See the contract above. */
  index(): number
  /** Every datacenter this agent knows of (its own + WAN-federated), lower-case. */
  knownDatacenters(): readonly string[]
  /**
   * All instances of `service` in `dc`, unfiltered: each with its node and every
   * relevant check (node-level checks and the instance's own). [] when the service
   * does not exist. `undefined` when `dc` is known but its data cannot be read now
   * (DNS answers SERVFAIL, as Consul does when the cross-DC RPC fails).
   */
  serviceNodes(dc: string, service: string): readonly CheckServiceNode[] | undefined
  /**
   * A node by name in `dc`; undefined when absent (or `dc` unreadable); null when the
   * node cannot be read now (a client agent with no server to ask: DNS answers SERVFAIL).
   */
  node(dc: string, name: string): Node | undefined | null
  /** Nodes of the local datacenter, sorted by name (reverse lookups). */
  nodes(): readonly Node[]
  /** Service instances of the local datacenter with their node, sorted by node name (reverse lookups). */
  serviceInstances(): readonly {Node: Node; Service: NodeService}[]
  /**
   * Optional: fetch what answering `packet` needs before the synchronous methods above
   * are asked (a client agent reads from servers or the agent cache). undefined when
   * nothing needs fetching; the server awaits the promise, which never rejects.
   */
  prefetch?(packet: Buffer): Promise<void> | undefined
}
