import type {QueryOptions as RpcQueryOptions} from '../server/endpoints/query.js'
import type {QueryOptions} from './query-options.js'

/** The HTTP read options (?index ?wait ?stale ?consistent ?dc) as Consul's RPC QueryOptions. */
export function rpcQuery(o: QueryOptions, dc?: string | null): RpcQueryOptions {
  return {
    ...(dc ? {Datacenter: dc} : {}),
    MinQueryIndex: o.minIndex,
    MaxQueryTime: o.waitMs,
    AllowStale: o.consistency === 'stale',
    ...(o.maxStaleMs ? {MaxStaleDuration: o.maxStaleMs} : {}),
    RequireConsistent: o.consistency === 'consistent',
  }
}
