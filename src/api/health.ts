import type {ApiCore} from './core.js'
import {encodePath, queryParams, type ApiResult, type QueryOptions} from './query.js'
import type {HealthCheck, ServiceEntry} from './types.js'

/** /v1/health: checks joined with nodes and services. */
export class HealthApi {
  constructor(private readonly core: ApiCore) {}

  node(node: string, q?: QueryOptions): Promise<ApiResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/v1/health/node/${encodePath(node)}`, {}, q)
  }

  checks(service: string, q?: QueryOptions): Promise<ApiResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/v1/health/checks/${encodePath(service)}`, {}, q)
  }

  /** The discovery endpoint; `passing` drops instances with any non-passing check. */
  service(service: string, o: {tags?: string[]; passing?: boolean} = {}, q?: QueryOptions): Promise<ApiResult<ServiceEntry[]>> {
    return this.list<ServiceEntry>(`/v1/health/service/${encodePath(service)}`, {tag: o.tags?.length ? o.tags : undefined, passing: o.passing}, q)
  }

  /** Checks in one state: any, passing, warning or critical. */
  state(state: 'any' | 'passing' | 'warning' | 'critical', q?: QueryOptions): Promise<ApiResult<HealthCheck[]>> {
    return this.list<HealthCheck>(`/v1/health/state/${state}`, {}, q)
  }

  private async list<T>(path: string, extra: Record<string, string[] | boolean | undefined>, q?: QueryOptions): Promise<ApiResult<T[]>> {
    const r = await this.core.json<T[] | null>('GET', path, {params: {...extra, ...queryParams(q)}, opts: q}, [])
    return {body: r.body ?? [], meta: r.meta}
  }
}
