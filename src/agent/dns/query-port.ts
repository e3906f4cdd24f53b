/**
 * How DNS runs a prepared query: through the RPC seam (PreparedQuery.Execute, failover
 * included), asynchronously, unlike the synchronous catalog view. The composition root
 * implements it over `rpc`; tests use a fake.
 */
import type {CheckServiceNode} from '../../store/state/types.js'

export interface DnsQueryRequest {
  /** The datacenter named in the question (lower-case); undefined = the agent's own. */
  dc?: string
  /** The query's name or ID as asked. */
  idOrName: string
  /** The DNS client's address (for `Near: "_ip"`). */
  sourceIp: string
}

export type DnsQueryResult =
  | {kind: 'ok'; service: string; datacenter: string; nodes: readonly CheckServiceNode[]; ttl: string}
  /** No such query, or no path to the datacenter: NXDOMAIN. */
  | {kind: 'not-found'}
  /** Anything else (no leader, RPC failure): SERVFAIL. */
  | {kind: 'error'; message: string}

export type DnsPreparedQuery = (req: DnsQueryRequest) => Promise<DnsQueryResult>
