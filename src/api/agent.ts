import type {ApiCore} from './core.js'
import {encodePath, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {AgentMember, AgentSelf, AgentService, AgentServiceRegistration, HealthCheck} from './types.js'

/** /v1/agent: the local agent's own view; never goes through Raft. */
export class AgentApi {
  constructor(private readonly core: ApiCore) {}

  self(q?: WriteOptions): Promise<ApiResult<AgentSelf>> {
    return this.core.json<AgentSelf>('GET', '/v1/agent/self', {opts: q})
  }

  /** Gossip members of the LAN pool, or of the WAN pool with `wan`. */
  async members(o: {wan?: boolean; segment?: string; filter?: string} = {}, q?: WriteOptions): Promise<ApiResult<AgentMember[]>> {
    const r = await this.core.json<AgentMember[] | null>('GET', '/v1/agent/members', {params: {wan: o.wan ? 1 : undefined, segment: o.segment, filter: o.filter || undefined}, opts: q}, [])
    return {body: r.body ?? [], meta: r.meta}
  }

  join(address: string, wan = false, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', `/v1/agent/join/${encodeURIComponent(address)}`, {params: {wan: wan ? 1 : undefined}, opts: q}, null)
  }

  leave(q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', '/v1/agent/leave', {opts: q}, null)
  }

  forceLeave(node: string, o: {prune?: boolean; wan?: boolean} = {}, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', `/v1/agent/force-leave/${encodeURIComponent(node)}`, {params: {prune: o.prune, wan: o.wan}, opts: q}, null)
  }

  reload(q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', '/v1/agent/reload', {opts: q}, null)
  }

  /** Node maintenance: adds (enable) or removes the `_node_maintenance` critical check. */
  maintenance(enable: boolean, reason?: string, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', '/v1/agent/maintenance', {params: {enable: String(enable), reason: reason || undefined}, opts: q}, null)
  }

  /** Service maintenance: `_service_maintenance:<id>`. */
  serviceMaintenance(serviceId: string, enable: boolean, reason?: string, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', `/v1/agent/service/maintenance/${encodePath(serviceId)}`, {params: {enable: String(enable), reason: reason || undefined}, opts: q}, null)
  }

  async services(q?: QueryOptions): Promise<ApiResult<Record<string, AgentService>>> {
    const r = await this.core.json<Record<string, AgentService> | null>('GET', '/v1/agent/services', {params: {filter: q?.filter || undefined}, opts: q}, {})
    return {body: r.body ?? {}, meta: r.meta}
  }

  async checks(q?: QueryOptions): Promise<ApiResult<Record<string, HealthCheck>>> {
    const r = await this.core.json<Record<string, HealthCheck> | null>('GET', '/v1/agent/checks', {params: {filter: q?.filter || undefined}, opts: q}, {})
    return {body: r.body ?? {}, meta: r.meta}
  }

  serviceRegister(reg: AgentServiceRegistration, o: {replaceExistingChecks?: boolean} = {}, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', '/v1/agent/service/register', {params: {'replace-existing-checks': o.replaceExistingChecks}, body: reg, opts: q}, null)
  }

  serviceDeregister(serviceId: string, q?: WriteOptions): Promise<ApiResult<null>> {
    return this.core.json<null>('PUT', `/v1/agent/service/deregister/${encodePath(serviceId)}`, {opts: q}, null)
  }
}
