import type {ApiCore} from './core.js'
import {encodePath, queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {CoordinateDatacenterMap, CoordinateEntry} from './types.js'

/** /v1/coordinate: network coordinates (LAN per node from the catalog, WAN per server). */
export class CoordinateApi {
  constructor(private readonly core: ApiCore) {}

  /** Every datacenter's servers with their WAN coordinates. */
  async datacenters(q?: WriteOptions): Promise<ApiResult<CoordinateDatacenterMap[]>> {
    const r = await this.core.json<CoordinateDatacenterMap[] | null>('GET', '/v1/coordinate/datacenters', {opts: {...q, datacenter: ''}}, [])
    return {body: r.body ?? [], meta: r.meta}
  }

  /** LAN coordinates of every node that has one (`segment` filters, blocking with `index`). */
  async nodes(q?: QueryOptions & {segment?: string}): Promise<ApiResult<CoordinateEntry[]>> {
    const r = await this.core.json<CoordinateEntry[] | null>('GET', '/v1/coordinate/nodes', {params: {...queryParams(q), segment: q?.segment}, opts: q}, [])
    return {body: r.body ?? [], meta: r.meta}
  }

  /** One node's LAN coordinates (one per segment); empty when it has none (the agent answers 404). */
  async node(name: string, q?: QueryOptions & {segment?: string}): Promise<ApiResult<CoordinateEntry[]>> {
    const r = await this.core.json<CoordinateEntry[] | null>('GET', `/v1/coordinate/node/${encodePath(name)}`, {params: {...queryParams(q), segment: q?.segment}, opts: q, accept: [404]}, [])
    return {body: r.body ?? [], meta: r.meta}
  }

  /** Report a node's LAN coordinate; the servers write it with the next batch. */
  update(entry: CoordinateEntry, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', '/v1/coordinate/update', {body: entry, opts: q}, null)
  }
}
