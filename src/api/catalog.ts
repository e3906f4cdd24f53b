import type {ApiCore} from './core.js'
import {encodePath, queryParams, type ApiResult, type QueryOptions} from './query.js'
import type {CatalogNode, CatalogNodeServices, CatalogService} from './types.js'

/** /v1/catalog: Raft-backed reads (blocking, consistency modes, filter, node-meta). */
export class CatalogApi {
  constructor(private readonly core: ApiCore) {}

  /** Known datacenters, nearest first. */
  datacenters(): Promise<ApiResult<string[]>> {
    return this.core.json<string[]>('GET', '/v1/catalog/datacenters', {opts: {datacenter: ''}}, [])
  }

  async nodes(q?: QueryOptions): Promise<ApiResult<CatalogNode[]>> {
    return orEmpty(await this.core.json<CatalogNode[] | null>('GET', '/v1/catalog/nodes', {params: queryParams(q), opts: q}, []), [])
  }

  /** Service name → tags. */
  async services(q?: QueryOptions): Promise<ApiResult<Record<string, string[]>>> {
    return orEmpty(await this.core.json<Record<string, string[]> | null>('GET', '/v1/catalog/services', {params: queryParams(q), opts: q}, {}), {})
  }

  /** Instances of one service, optionally only those carrying every tag in `tags`. */
  async service(name: string, tags: string[] = [], q?: QueryOptions): Promise<ApiResult<CatalogService[]>> {
    const params = {tag: tags.length ? tags : undefined, ...queryParams(q)}
    return orEmpty(await this.core.json<CatalogService[] | null>('GET', `/v1/catalog/service/${encodePath(name)}`, {params, opts: q}, []), [])
  }

  /** A node and its services; null when the node is unknown. */
  node(name: string, q?: QueryOptions): Promise<ApiResult<CatalogNodeServices | null>> {
    return this.core.json<CatalogNodeServices | null>('GET', `/v1/catalog/node/${encodePath(name)}`, {params: queryParams(q), opts: q, accept: [404]}, null)
  }
}

function orEmpty<T>(r: ApiResult<T | null>, empty: T): ApiResult<T> {
  return {body: r.body ?? empty, meta: r.meta}
}
