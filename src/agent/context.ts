import type {RuntimeConfig} from './config/runtime.js'
import type {Env, Logger} from './env/types.js'
import type {QueryOptions} from './http/query-options.js'
import type {HttpRequest, QueryMeta} from './http/types.js'
import type {LocalAgent} from './local/index.js'
import type {Coordinate} from './gossip/coordinate/coordinate.js'
import type {CoordinateEntry} from '../store/state/types.js'

/** A gossip member as /v1/agent/members renders it. */
export interface MemberInfo {
  Name: string
  Addr: string
  Port: number
  Tags: Record<string, string>
  /** 1 alive, 2 leaving, 3 left, 4 failed */
  Status: number
  ProtocolMin: number
  ProtocolMax: number
  ProtocolCur: number
  DelegateMin: number
  DelegateMax: number
  DelegateCur: number
}

/** Gossip as the HTTP API sees it (src/agent/gossip/agent-gossip.ts). */
export interface GossipApi {
  /** Members of the LAN pool, or the WAN pool; [] when that pool is off. */
  members(wan: boolean): MemberInfo[]
  /** This agent as a LAN member; undefined when LAN gossip is off. */
  self(): MemberInfo | undefined
  /** Joins through any of `addrs`; resolves with how many were contacted, rejects when none. */
  join(addrs: string[], wan: boolean): Promise<number>
  forceLeave(node: string, prune: boolean, wan: boolean): Promise<void>
  keyring(op: 'install' | 'use' | 'remove' | 'list', key: string | undefined, relayFactor: number, localOnly: boolean): Promise<import('./gossip/pool.js').KeyringPoolResult[]>
  stats(): {lan?: Record<string, string>; wan?: Record<string, string>}
  /** Fires a Consul user event through a server (Internal.EventFire); resolves with the event as /v1/event/fire answers it. */
  fireEvent(p: import('./gossip/user-events.js').FireParams): Promise<import('./gossip/user-events.js').UserEvent>
  events: import('./gossip/user-events.js').UserEventBuffer
}

/** structs.DatacenterMap: one datacenter's servers with their WAN coordinates. */
export interface CoordinateDatacenterMap {
  Datacenter: string
  /** "WAN" for the WAN pool (Consul Enterprise adds network areas). */
  AreaID: string
  Coordinates: CoordinateEntry[]
}

/**
 * What HTTP handlers (and other agent subsystems) may use. Built once by the
 * composition root (index.ts); handlers never reach into Raft or sockets directly.
 */
export interface AgentContext {
  /** The agent's own services and checks (anti-entropy keeps the catalog in step). */
  local: LocalAgent
  config: RuntimeConfig
  env: Env
  log: Logger
  nodeId: string
  /** Parses ?index ?wait ?stale ?consistent ?filter with the agent's limits. */
  queryOptions(req: HttpRequest): QueryOptions
  /** The `plugins` section of /v1/agent/self's Stats (`dc info`): API version, types, each plugin loaded. */
  pluginStats?(): Record<string, string>
  /** Raft status for /v1/agent/self and `dc info`; undefined on a client agent. */
  raft?: {
    isLeader(): boolean
    leaderAddress(): string
    peers(): string[]
    stats(): Record<string, string>
    configuration(): {Servers: {ID: string; Node: string; Address: string; Leader: boolean; Voter: boolean; ProtocolVersion: string}[]; Index: number}
  }
  /** A server's WAN view for the `consul` section of /v1/agent/self's Stats (known datacenters, cluster ID, name conflicts). */
  wanStats?(): Record<string, string>
  gossip: GossipApi
  /**
   * The one seam to replicated state: Consul's RPC methods (KVS.Get, Catalog.Register,
   * Health.ServiceNodes, …). A server runs them here; a client agent will send them to a
   * server. Rejects with EndpointError.
   */
  rpc: import('./server/endpoints/index.js').RpcDelegate
  /** The agent cache behind ?cached and dns_config.use_cache (src/agent/cache); absent in bare test contexts. */
  cache?: import('./cache/rpc-cache.js').RpcCache
  /** The agent's own advertised address (node address in the catalog). */
  advertiseAddr: string
  /** Graceful leave, then the process exits. */
  requestLeave(): void
  /** Re-reads config files (services, checks, log level). */
  reload(): Promise<void>
}
