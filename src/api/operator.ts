import type {ApiCore} from './core.js'
import {queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {AutopilotHealth, KeyringResponse, RaftConfiguration} from './types.js'

/** /v1/operator: Raft membership and autopilot. */
export class OperatorApi {
  constructor(private readonly core: ApiCore) {}

  raftConfiguration(q?: QueryOptions): Promise<ApiResult<RaftConfiguration>> {
    return this.core.json<RaftConfiguration>('GET', '/v1/operator/raft/configuration', {params: {stale: q?.stale}, opts: q})
  }

  raftRemovePeer(by: {id?: string; address?: string}, w?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('DELETE', '/v1/operator/raft/peer', {params: {id: by.id, address: by.address}, opts: w}, null)
  }

  /** GET /v1/operator/keyring: installed keys per pool (WAN, then each datacenter's LAN). */
  keyringList(o: {relayFactor?: number; localOnly?: boolean} = {}, q?: QueryOptions): Promise<ApiResult<KeyringResponse[]>> {
    return this.core.json<KeyringResponse[]>('GET', '/v1/operator/keyring', {params: {'relay-factor': o.relayFactor || undefined, 'local-only': o.localOnly ? 'true' : undefined}, opts: q}, [])
  }

  /** install (POST), use (PUT) or remove (DELETE) a gossip key on every member. */
  keyringChange(op: 'install' | 'use' | 'remove', key: string, o: {relayFactor?: number} = {}, w?: WriteOptions): Promise<ApiResult<null>> {
    const method = {install: 'POST', use: 'PUT', remove: 'DELETE'}[op]
    return this.core.json<null>(method, '/v1/operator/keyring', {params: {'relay-factor': o.relayFactor || undefined}, body: {Key: key}, opts: w}, null)
  }

  /** Consul answers 429 with a full body when the cluster is unhealthy; both are answers. */
  autopilotHealth(q?: QueryOptions): Promise<ApiResult<AutopilotHealth>> {
    return this.core.json<AutopilotHealth>('GET', '/v1/operator/autopilot/health', {params: queryParams(q), opts: q, accept: [429]})
  }
}
