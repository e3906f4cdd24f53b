/**
 * Cross-datacenter failover of a prepared query (Consul's queryFailover). The local
 * datacenter had no result; other datacenters are tried through a port, so this logic
 * is testable with a fake and the WAN forwarding can be plugged in later.
 */
import type {PreparedQuery} from '../../../store/state/query-types.js'
import type {CheckServiceNode} from '../../../store/state/types.js'

/** What a remote datacenter is asked (Consul's PreparedQueryExecuteRemoteRequest). */
export interface ExecuteRemoteRequest {
  Datacenter: string
  Query: PreparedQuery
  Limit: number
  Connect: boolean
  AllowStale?: boolean
  RequireConsistent?: boolean
}

export interface ExecuteResult {
  Service: string
  Nodes: CheckServiceNode[]
  DNS: {TTL: string}
  Datacenter: string
  Failovers: number
}

export interface FailoverPort {
  /** Every known datacenter, nearest first by WAN round-trip time (may include the local one). */
  datacenters(): Promise<string[]>
  /** Run the query in another datacenter (PreparedQuery.ExecuteRemote there). */
  execute(dc: string, req: ExecuteRemoteRequest): Promise<ExecuteResult>
}

/** The port while only this datacenter is reachable: it knows no other datacenter. */
export function localOnlyFailover(datacenter: string): FailoverPort {
  return {
    datacenters: async () => [datacenter],
    execute: async () => {
      throw new Error('No path to datacenter')
    },
  }
}

/** The datacenters to try, in order: the NearestN nearest, then the listed ones not yet chosen; unknown ones are skipped. */
export function failoverOrder(query: PreparedQuery, others: readonly string[]): string[] {
  const known = new Set(others)
  const out: string[] = []
  const chosen = new Set<string>()
  const n = query.Service.Failover.NearestN
  for (const dc of others.slice(0, n > 0 ? n : 0)) {
    out.push(dc)
    chosen.add(dc)
  }
  for (const dc of query.Service.Failover.Datacenters ?? []) {
    if (!known.has(dc) || chosen.has(dc)) continue
    out.push(dc)
    chosen.add(dc)
  }
  return out
}

/**
 * Try each datacenter in order until one has nodes; a failing datacenter is logged and
 * skipped. Failovers counts the datacenters tried. The result keeps the last reply (or
 * the local one when none answered).
 */
export async function queryFailover(
  port: FailoverPort, localDc: string, query: PreparedQuery, req: Omit<ExecuteRemoteRequest, 'Datacenter' | 'Query'>, local: ExecuteResult,
  onError: (dc: string, err: unknown) => void = () => {},
): Promise<ExecuteResult> {
  const others = (await port.datacenters()).filter((dc) => dc !== localDc)
  let reply: ExecuteResult = {...local, Nodes: []}
  let failovers = 0
  for (const dc of failoverOrder(query, others)) {
    failovers++
    try {
      reply = await port.execute(dc, {...req, Datacenter: dc, Query: query})
    } catch (e) {
      onError(dc, e)
      reply = {...reply, Nodes: []}
      continue
    }
    if (reply.Nodes.length > 0) break
  }
  return {...reply, Failovers: failovers}
}
