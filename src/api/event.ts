import type {ApiCore} from './core.js'
import {queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {UserEvent} from './types.js'

/** /v1/event: user events sent over gossip. */
export class EventApi {
  constructor(private readonly core: ApiCore) {}

  fire(name: string, payload: Uint8Array | string, f: {node?: string; service?: string; tag?: string} = {}, w?: WriteOptions): Promise<ApiResult<UserEvent>> {
    return this.core.json<UserEvent>('PUT', `/v1/event/fire/${encodeURIComponent(name)}`, {params: {node: f.node || undefined, service: f.service || undefined, tag: f.tag || undefined}, body: payload, opts: w})
  }

  list(name?: string, q?: QueryOptions): Promise<ApiResult<UserEvent[]>> {
    return this.core.json<UserEvent[]>('GET', '/v1/event/list', {params: {name: name || undefined, ...queryParams(q)}, opts: q}, [])
  }
}
