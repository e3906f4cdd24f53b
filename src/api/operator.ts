import type {ApiCore} from './core.js'
import {queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {AutopilotConfiguration, AutopilotHealth, AutopilotState, KeyringResponse, RaftConfiguration} from './types.js'

/** /v1/operator: Raft membership and autopilot. */
export class OperatorApi {
  constructor(private readonly core: ApiCore) {}

  raftConfiguration(q?: QueryOptions): Promise<ApiResult<RaftConfiguration>> {
    return this.core.json<RaftConfiguration>('GET', '/v1/operator/raft/configuration', {params: {stale: q?.stale}, opts: q})
  }

  raftRemovePeer(by: {id?: string; address?: string}, w?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('DELETE', '/v1/operator/raft/peer', {params: {id: by.id, address: by.address}, opts: w}, null)
  }

  /** POST /v1/operator/raft/transfer-leader[?id=] */
  raftTransferLeader(id?: string, w?: WriteOptions): Promise<ApiResult<{Success: boolean}>> {
    return this.core.json<{Success: boolean}>('POST', '/v1/operator/raft/transfer-leader', {params: {id: id || undefined}, opts: w})
  }

  autopilotGetConfiguration(q?: QueryOptions): Promise<ApiResult<AutopilotConfiguration>> {
    return this.core.json<AutopilotConfiguration>('GET', '/v1/operator/autopilot/configuration', {params: queryParams(q), opts: q})
  }

  /** PUT with ?cas=<ModifyIndex>: true when written, false when the configuration moved on meanwhile. */
  autopilotCASConfiguration(conf: AutopilotConfiguration, w?: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('PUT', '/v1/operator/autopilot/configuration', {params: {cas: String(conf.ModifyIndex)}, body: conf, opts: w})
  }

  autopilotState(q?: QueryOptions): Promise<ApiResult<AutopilotState>> {
    return this.core.json<AutopilotState>('GET', '/v1/operator/autopilot/state', {params: queryParams(q), opts: q})
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
