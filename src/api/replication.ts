import type {ApiCore} from './core.js'
import {queryParams, type ApiResult, type QueryOptions} from './query.js'

/** One replicated prefix in GET /v1/replication/status (dc's own endpoint). */
export interface ReplicationPrefixStatus {
  Prefix: string
  SourceDatacenter: string
  ReplicatedIndex: number
  SourceIndex: number
  LocalIndex: number
  LagIndex: number
  /** RFC 3339; Go's zero time (0001-01-01T00:00:00Z) when never. */
  LastSuccess: string
  /** Go duration since LastSuccess on the leader's clock; "" when never. */
  SinceLastSuccess: string
  LastError: string
  LastErrorMessage: string
  Applied: number
}

export interface ReplicationStatus {
  Enabled: boolean
  Running: boolean
  SourceDatacenter: string
  Prefixes: ReplicationPrefixStatus[]
}

/** /v1/replication: KV prefix replication between datacenters (a dc extension, not in Consul). */
export class ReplicationApi {
  constructor(private readonly core: ApiCore) {}

  status(q?: QueryOptions): Promise<ApiResult<ReplicationStatus>> {
    return this.core.json<ReplicationStatus>('GET', '/v1/replication/status', {params: queryParams(q), opts: q})
  }
}
