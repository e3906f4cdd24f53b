import {resolveClientSettings, type ClientEnv, type ClientSettings} from './address.js'
import {AgentApi} from './agent.js'
import {CatalogApi} from './catalog.js'
import {EventApi} from './event.js'
import {CoordinateApi} from './coordinate.js'
import {ApiCore} from './core.js'
import {HealthApi} from './health.js'
import {KvApi} from './kv.js'
import {OperatorApi} from './operator.js'
import {SessionApi} from './session.js'
import {StatusApi} from './status.js'
import {ReplicationApi} from './replication.js'
import type {Transport} from './transport.js'
import {TxnApi} from './txn.js'

export {ApiError, AGENT_HINT} from './errors.js'
export {parseEndpoint, resolveClientSettings, DEFAULT_HTTP_ADDR} from './address.js'
export type {ClientEnv, ClientSettings, Endpoint} from './address.js'
export type {ApiResult, QueryMeta, QueryOptions, WriteOptions} from './query.js'
export type {HttpRequest, HttpResponse, Transport} from './transport.js'
export type * from './types.js'
export {decodeValue} from './types.js'
export type {ReplicationStatus, ReplicationPrefixStatus} from './replication.js'

export interface ClientOptions {
  /** `host:port`, `http(s)://host:port` or `unix:///path`; else CONSUL_HTTP_ADDR / DC_HTTP_ADDR / 127.0.0.1:8500. */
  address?: string
  /** X-Consul-Token; else CONSUL_HTTP_TOKEN / DC_HTTP_TOKEN. */
  token?: string
  /** File holding the token (wins over `token`); else CONSUL_HTTP_TOKEN_FILE. */
  tokenFile?: string
  /** Default `?dc=` for every request. */
  datacenter?: string
  /** Environment to read defaults from (process.env when omitted). */
  env?: ClientEnv
  /** Replace node:http (tests). */
  transport?: Transport
}

/**
 * A typed client for Consul's /v1 HTTP API; works against dc and a real Consul.
 * Every method resolves to `{body, meta}` (meta = X-Consul-Index/KnownLeader/
 * LastContact) and rejects only with ApiError.
 *
 *   const c = new ConsulClient({address: '127.0.0.1:8500'})
 *   const {body: pair, meta} = await c.kv.get('config/db')
 *   await c.kv.get('config/db', {index: meta.lastIndex, wait: '30s'}) // blocks until it changes
 */
export class ConsulClient {
  readonly core: ApiCore
  readonly kv: KvApi
  readonly status: StatusApi
  readonly agent: AgentApi
  readonly catalog: CatalogApi
  readonly health: HealthApi
  readonly session: SessionApi
  readonly txn: TxnApi
  readonly operator: OperatorApi
  readonly event: EventApi
  readonly coordinate: CoordinateApi
  readonly replication: ReplicationApi

  constructor(opts: ClientOptions = {}) {
    const settings: ClientSettings = resolveClientSettings(
      {httpAddr: opts.address, token: opts.token, tokenFile: opts.tokenFile, datacenter: opts.datacenter},
      opts.env ?? (process.env as ClientEnv),
    )
    this.core = new ApiCore(settings, opts.transport)
    this.kv = new KvApi(this.core)
    this.status = new StatusApi(this.core)
    this.agent = new AgentApi(this.core)
    this.catalog = new CatalogApi(this.core)
    this.health = new HealthApi(this.core)
    this.session = new SessionApi(this.core)
    this.txn = new TxnApi(this.core)
    this.operator = new OperatorApi(this.core)
    this.event = new EventApi(this.core)
    this.coordinate = new CoordinateApi(this.core)
    this.replication = new ReplicationApi(this.core)
  }

  /** Base URL requests go to, e.g. "http://127.0.0.1:8500". */
  get baseUrl(): string {
    return this.core.settings.endpoint.baseUrl
  }
}
