import type {Env} from '../../env/types.js'
import type {StateStore} from '../../../store/state/store.js'
import {WatchSet} from '../../../store/state/watch.js'
import {blockingRead, type Indexed} from '../blocking.js'
import {EndpointError} from './errors.js'

/** Consul's QueryOptions as every read endpoint takes them (times in milliseconds). */
export interface QueryOptions {
  Datacenter?: string
  MinQueryIndex?: number
  MaxQueryTime?: number
  AllowStale?: boolean
  /** With AllowStale: a server lagging the leader by more than this (ms) leaves the read to the leader. */
  MaxStaleDuration?: number
  RequireConsistent?: boolean
}

/** Consul's QueryMeta, returned with every read. */
export interface QueryMeta {
  index: number
  knownLeader: boolean
  lastContactMs: number
  consistency?: 'leader' | 'consistent' | 'stale'
}

export interface Read<T> {
  value: T
  meta: QueryMeta
}

/** What endpoints need of the server they run on. */
export interface ServerPort {
  state(): StateStore
  apply(cmd: import('../../../store/fsm/commands.js').Command): Promise<unknown>
  isLeader(): boolean
  hasLeader(): boolean
  lastContactMs(): number
  /** ReadIndex round: resolves once a read is linearizable here. */
  verifyLeader(): Promise<void>
  /** Leader lease (ReadIndex when lapsed): rejects with no-leader on a follower. */
  leaseRead(): Promise<void>
}

export interface EndpointDeps {
  server: ServerPort
  env: Env
  datacenter: string
  defaultQueryTimeMs: number
  maxQueryTimeMs: number
  /** Every datacenter known over the WAN, nearest first (default: this one only). */
  datacenters?(): string[]
}

/** Consul's consistency modes and blocking semantics around one read of the store. */
export async function query<T>(d: EndpointDeps, q: QueryOptions | undefined, fn: (s: StateStore, ws: WatchSet | undefined) => Indexed<T>, signal?: AbortSignal): Promise<Read<T>> {
  const o = q ?? {}
  if (o.Datacenter && o.Datacenter !== d.datacenter) throw new EndpointError('no-path', 'No path to datacenter')
  const consistency = o.RequireConsistent ? 'consistent' : o.AllowStale ? 'stale' : 'leader'
  if (consistency === 'consistent') await d.server.verifyLeader()
  else if (consistency === 'leader') {
    if (!d.server.isLeader()) throw new EndpointError('no-leader', 'No cluster leader')
    await d.server.leaseRead()
  }
  const waitMs = Math.min(o.MaxQueryTime ?? d.defaultQueryTimeMs, d.maxQueryTimeMs)
  const watch = {newWatchSet: () => new WatchSet(), wait: (ws: WatchSet, cb: () => void) => d.server.state().hub.wait(ws, cb)}
  const r = await blockingRead(d.env, watch, {minIndex: o.MinQueryIndex ?? 0, waitMs}, (ws) => fn(d.server.state(), ws), signal)
  return {value: r.value, meta: {index: r.index, knownLeader: d.server.hasLeader(), lastContactMs: d.server.lastContactMs(), consistency}}
}

export function checkDc(d: EndpointDeps, dc: string | undefined): void {
  if (dc && dc !== d.datacenter) throw new EndpointError('no-path', 'No path to datacenter')
}
