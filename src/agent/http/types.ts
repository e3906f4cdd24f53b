/** A socket-free request, as the app sees it (server.ts adapts node:http to this). */
export interface HttpRequest {
  method: string
  /** Decoded path, e.g. "/v1/kv/app/config". */
  path: string
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  body: Buffer
  /** Aborted when the client goes away (blocking queries stop waiting). */
  signal?: AbortSignal
  /** The client's IP (prepared queries' `Near: "_ip"`); absent in socket-free tests. */
  remoteAddr?: string
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

/**
 * What a handler returns. `json` is rendered with Consul's conventions; `raw` goes out
 * as-is (e.g. ?raw KV values). `meta` adds the X-Consul-* query headers.
 */
export interface Reply {
  status?: number
  json?: unknown
  raw?: Buffer | string
  contentType?: string
  headers?: Record<string, string>
  meta?: QueryMeta
}

/** The X-Consul-* query headers: the endpoints' QueryMeta. */
export type {QueryMeta} from '../server/endpoints/query.js'
import type {QueryMeta} from '../server/endpoints/query.js'

/** The route's captured remainder: for "/v1/kv/" and "/v1/kv/a/b" it is "a/b". */
export interface RouteParams {
  rest: string
}

export type Handler<Ctx> = (req: HttpRequest, params: RouteParams, ctx: Ctx) => Promise<Reply> | Reply

export interface Route<Ctx> {
  /** A path; a trailing slash means "prefix": the remainder is params.rest. */
  path: string
  /** Match `path` only, even though it ends in a slash (the root, "/"). */
  exact?: boolean
  methods: string[]
  handler: Handler<Ctx>
}
