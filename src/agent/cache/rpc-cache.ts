import type {Env, Logger} from '../env/types.js'
import type {Read, RpcDelegate, RpcReply, RpcRequest} from '../server/endpoints/index.js'
import {AgentCache, type CacheMeta, type GetInfo} from './cache.js'

/**
 * The RPC reads the agent cache serves, after Consul's cache types: background-refresh
 * for the discovery reads (catalog-list-services, catalog-services, health-services),
 * simple for catalog-datacenters. Prepared queries have no endpoint in dc yet.
 */
const REFRESHED = ['Catalog.ListServices', 'Catalog.ServiceInstances', 'Catalog.ServiceNodes', 'Health.ServiceNodes'] as const
export type CachedMethod = (typeof REFRESHED)[number] | 'Catalog.ListDatacenters'

export function isCachedMethod(m: string): m is CachedMethod {
  return m === 'Catalog.ListDatacenters' || (REFRESHED as readonly string[]).includes(m)
}

/** Query options travel in GetInfo, not in the key: every ?index/?wait shares one entry. */
const QUERY_FIELDS = new Set(['MinQueryIndex', 'MaxQueryTime', 'AllowStale', 'RequireConsistent'])

/** A stable key for a request: its fields in sorted order, query options left out. */
export function requestKey(req: unknown): string {
  return JSON.stringify(req ?? null, (k, v) => {
    if (QUERY_FIELDS.has(k)) return undefined
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((x) => [x, (v as Record<string, unknown>)[x]]))
    return v
  })
}

export interface RpcCache {
  get<M extends CachedMethod>(method: M, req: RpcRequest<M>, info: GetInfo, signal?: AbortSignal): Promise<{reply: RpcReply<M>; meta: CacheMeta}>
  size(): number
  stop(): void
}

/** The agent cache over the agent's `rpc` (a server runs it locally, a client sends it to a server). */
export function createRpcCache(env: Env, log: Logger, rpc: RpcDelegate): RpcCache {
  const cache = new AgentCache(env, log)
  for (const m of REFRESHED) {
    cache.register<object, Read<unknown>>(m, {
      refresh: true,
      supportsBlocking: true,
      async fetch(req, o) {
        // Always stale: a cached answer is as stale as the cache anyway, and any server can answer it.
        const reply = (await rpc(m, {...req, AllowStale: true, RequireConsistent: false, MinQueryIndex: o.minIndex, MaxQueryTime: o.timeoutMs} as never, o.signal)) as Read<unknown>
        return {value: reply, index: reply.meta.index}
      },
    })
  }
  cache.register<undefined, string[]>('Catalog.ListDatacenters', {
    refresh: false,
    supportsBlocking: false,
    async fetch(_req, o) {
      const value = await rpc('Catalog.ListDatacenters', undefined, o.signal)
      // A synthetic index, as Consul's type: it moves only when the list changes.
      const last = o.last
      const same = last && last.value.length === value.length && last.value.every((d, i) => d === value[i])
      return {value, index: last ? last.index + (same ? 0 : 1) : 1}
    },
  })
  return {
    async get(method, req, info, signal) {
      const r = await cache.get(method, requestKey(req), req, info, signal)
      return {reply: r.value as never, meta: r.meta}
    },
    size: () => cache.size(),
    stop: () => cache.stop(),
  }
}

export type {CacheMeta, GetInfo} from './cache.js'
