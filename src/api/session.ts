import type {ApiCore} from './core.js'
import {encodePath, queryParams, type ApiResult, type QueryOptions, type WriteOptions} from './query.js'
import type {SessionEntry, SessionRequest} from './types.js'

/** /v1/session: sessions back KV locks (acquire/release) and ephemeral keys. */
export class SessionApi {
  constructor(private readonly core: ApiCore) {}

  /** Returns the new session's ID. */
  async create(req: SessionRequest = {}, w?: WriteOptions): Promise<ApiResult<string>> {
    const r = await this.core.json<{ID: string}>('PUT', '/v1/session/create', {body: req, opts: w})
    return {body: r.body.ID, meta: r.meta}
  }

  destroy(id: string, w?: WriteOptions): Promise<ApiResult<boolean>> {
    return this.core.json<boolean>('PUT', `/v1/session/destroy/${encodePath(id)}`, {opts: w}, false)
  }

  /** The renewed session, or null when it no longer exists (404). */
  async renew(id: string, w?: WriteOptions): Promise<ApiResult<SessionEntry | null>> {
    const r = await this.core.json<SessionEntry[] | null>('PUT', `/v1/session/renew/${encodePath(id)}`, {opts: w, accept: [404]}, null)
    return {body: r.body?.[0] ?? null, meta: r.meta}
  }

  async info(id: string, q?: QueryOptions): Promise<ApiResult<SessionEntry | null>> {
    const r = await this.core.json<SessionEntry[] | null>('GET', `/v1/session/info/${encodePath(id)}`, {params: queryParams(q), opts: q}, null)
    return {body: r.body?.[0] ?? null, meta: r.meta}
  }

  async node(node: string, q?: QueryOptions): Promise<ApiResult<SessionEntry[]>> {
    const r = await this.core.json<SessionEntry[] | null>('GET', `/v1/session/node/${encodePath(node)}`, {params: queryParams(q), opts: q}, [])
    return {body: r.body ?? [], meta: r.meta}
  }

  async list(q?: QueryOptions): Promise<ApiResult<SessionEntry[]>> {
    const r = await this.core.json<SessionEntry[] | null>('GET', '/v1/session/list', {params: queryParams(q), opts: q}, [])
    return {body: r.body ?? [], meta: r.meta}
  }
}
