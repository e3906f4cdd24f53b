import type {ReplicationStatus} from '../replication/replicator.js'
import {query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** What the Replication endpoint needs: the leader's replicator (or a disabled answer). */
export interface ReplicationPort {
  status(): ReplicationStatus
}

/** dc's own RPC family (Consul has no KV replication): answered by the leader like any default read. */
export function replicationEndpoints(d: EndpointDeps, port: ReplicationPort) {
  return {
    'Replication.Status': (r: QueryOptions): Promise<Read<ReplicationStatus>> =>
      query(d, {...r, MinQueryIndex: 0}, (s) => ({index: s.maxIndex('kvs', 'tombstones'), value: port.status()})),
  }
}
