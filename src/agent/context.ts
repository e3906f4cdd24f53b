import type {RuntimeConfig} from './config/runtime.js'
import type {Env, Logger} from './env/types.js'
import type {QueryOptions} from './http/query-options.js'
import type {HttpRequest, QueryMeta} from './http/types.js'
import type {Indexed} from './http/blocking.js'
import type {StateStore} from '../store/state/store.js'
import type {WatchSet} from '../store/state/watch.js'
import type {Command} from '../store/fsm/commands.js'
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
  /** Fires a Consul user event over LAN gossip; returns the event as /v1/event/fire answers it. */
  fireEvent(p: import('./gossip/user-events.js').FireParams): import('./gossip/user-events.js').UserEvent
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
  /** The current state store; its identity changes when a snapshot is restored. */
  state(): StateStore
  /**
   * Replicates a command through Raft and resolves with the FSM's result once it is
   * committed and applied. Rejects with HttpError(500, "No cluster leader") etc.
   */
  apply(cmd: Command): Promise<unknown>
  /**
   * A read with Consul's consistency modes and blocking semantics: runs `fn` against
   * the current store (re-running when a watched item changes for blocking queries)
   * and returns the value with the X-Consul-* meta.
   */
  read<T>(req: HttpRequest, fn: (state: StateStore, ws: WatchSet | undefined) => Indexed<T>, opts?: QueryOptions): Promise<{value: T; meta: QueryMeta}>
  /** Parses ?index ?wait ?stale ?consistent ?filter with the agent's limits. */
  queryOptions(req: HttpRequest): QueryOptions
  /** The `plugins` section of /v1/agent/self's Stats (`dc info`): API version, types, each plugin loaded. */
  pluginStats?(): Record<string, string>
  /** Raft status for /v1/status, /v1/agent/self and `dc info`. */
  raft: {
    isLeader(): boolean
    leaderAddress(): string
    peers(): string[]
    stats(): Record<string, string>
    configuration(): {Servers: {ID: string; Node: string; Address: string; Leader: boolean; Voter: boolean; ProtocolVersion: string}[]; Index: number}
  }
  gossip: GossipApi
  /** The agent's own advertised address (node address in the catalog). */
  advertiseAddr: string
  /** Graceful leave, then the process exits. */
  requestLeave(): void
  /** Re-reads config files (services, checks, log level). */
  reload(): Promise<void>
  /** Network coordinates: the server's batch writer and the WAN view. */
  coordinates: {
    /** Queue a node's LAN coordinate for the next batch write (Consul's Coordinate.Update). Throws HttpError. */
    update(entry: {Node: string; Segment: string; Coord: Coordinate}): void
    /** Per datacenter, the servers' WAN coordinates the WAN pool has measured. */
    datacenters(): CoordinateDatacenterMap[]
  }
  /** Leader-side session TTL timers (Consul invalidates after 2×TTL without renewal). */
  sessionTimers: {reset(id: string, ttl: string): void; clear(id: string): void}
}
