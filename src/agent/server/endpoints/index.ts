import {catalogEndpoints} from './catalog.js'
import {coordinateEndpoints, type CoordinatePort} from './coordinate.js'
import {EndpointError, asEndpointError} from './errors.js'
import {internalEndpoints, type UserEventPort} from './internal.js'
import {kvsEndpoints} from './kvs.js'
import {operatorEndpoints, type OperatorPort} from './operator.js'
import type {EndpointDeps} from './query.js'
import {preparedQueryEndpoints, type FailoverPort} from './prepared-query.js'
import {replicationEndpoints, type ReplicationPort} from './replication.js'
import {disabledStatus} from '../replication/replicator.js'
import {localOnlyFailover} from '../prepared-query/failover.js'
import {sessionEndpoints, type SessionTimerPort} from './session.js'
import {statusEndpoints, type RaftStatusPort} from './status.js'
import {txnEndpoints} from './txn.js'

export {EndpointError, asEndpointError} from './errors.js'
export type {EndpointErrorCode} from './errors.js'
export type {OperatorPort, RaftConfigurationResponse, RaftServer, ServerHealthReply, AutopilotSetConfigRequest} from './operator.js'
export type {UserEventPort} from './internal.js'
export type {EndpointDeps, QueryMeta, QueryOptions, Read, ServerPort} from './query.js'

export interface ServerEndpointDeps extends EndpointDeps {
  raft: RaftStatusPort
  sessionTimers: SessionTimerPort
  coordinates: CoordinatePort
  /** Other datacenters for prepared-query failover; default: none (only this datacenter is reachable). */
  queryFailover?: FailoverPort
  /** Raft membership and autopilot for the Operator.* methods (server/operator-port.ts). */
  operator?: OperatorPort
  /** The server's LAN user-event broadcast (Internal.EventFire); absent when LAN gossip is off. */
  userEvents?: UserEventPort
  /** KV prefix replication's status (default: not configured). */
  replication?: ReplicationPort
}

/** The endpoint table: Consul's RPC method names → functions of Consul-shaped requests. */
export function createEndpoints(d: ServerEndpointDeps) {
  return {
    ...kvsEndpoints(d),
    ...sessionEndpoints(d, d.sessionTimers),
    ...txnEndpoints(d),
    ...statusEndpoints(d.raft),
    ...catalogEndpoints(d),
    ...coordinateEndpoints(d, d.coordinates),
    ...preparedQueryEndpoints(d, d.queryFailover ?? localOnlyFailover(d.datacenter)),
    ...operatorEndpoints(d, d.operator),
    ...internalEndpoints(d, d.userEvents),
    ...replicationEndpoints(d, d.replication ?? {status: () => disabledStatus(d.env.clock.wallMs())}),
  }
}

export type Endpoints = ReturnType<typeof createEndpoints>
export type Method = keyof Endpoints
/** The request and reply of each method, for the typed `rpc` delegate. */
export type RpcRequest<M extends Method> = Parameters<Endpoints[M]>[0]
export type RpcReply<M extends Method> = Awaited<ReturnType<Endpoints[M]>>

/**
 * The one seam (`rpc(method, request)`) on a server: dispatch to the endpoint here.
 * Errors leave as EndpointError, so callers (HTTP, DNS, anti-entropy, the RPC
 * listener) see one error type whatever failed underneath.
 */
export function localDelegate(endpoints: Endpoints) {
  const table = endpoints as unknown as Record<string, (req: unknown, signal?: AbortSignal) => Promise<unknown>>
  return async function rpc<M extends Method>(method: M, req: RpcRequest<M>, signal?: AbortSignal): Promise<RpcReply<M>> {
    const fn = Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined
    if (!fn) throw new EndpointError('unknown-method', `rpc: can't find method ${String(method)}`)
    try {
      return (await fn(req, signal)) as RpcReply<M>
    } catch (e) {
      throw asEndpointError(e)
    }
  }
}

export type RpcDelegate = ReturnType<typeof localDelegate>
