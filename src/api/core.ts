import type {ClientSettings} from './address.js'
import {AGENT_HINT, ApiError} from './errors.js'
import {encodeQuery, parseMeta, type ApiResult, type Params, type QueryMeta, type WriteOptions} from './query.js'
import {nodeTransport, type Transport} from './transport.js'

export interface CallOptions {
  params?: Params
  /** Raw bytes/strings are sent as-is; anything else is JSON-encoded. */
  body?: unknown
  opts?: WriteOptions
  /** Non-2xx statuses that are answers, not errors (404 for a missing key, 409 for a rolled-back txn). */
  accept?: readonly number[]
}

export interface RawResult {
  status: number
  body: Uint8Array
  meta: QueryMeta
}

// Node's syscall errors that mean "nothing answered at that address".
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET'])

/** The request machinery every API area uses: URL, headers, status → ApiError. */
export class ApiCore {
  constructor(
    readonly settings: ClientSettings,
    private readonly transport: Transport = nodeTransport,
  ) {}

  async call(method: string, path: string, c: CallOptions = {}): Promise<RawResult> {
    const dc = c.opts?.datacenter ?? this.settings.datacenter
    const token = c.opts?.token ?? this.settings.token
    const url = `${this.settings.endpoint.baseUrl}${path}${encodeQuery({...c.params, dc: dc || undefined})}`
    const headers: Record<string, string> = {}
    if (token) headers['X-Consul-Token'] = token
    let body: Uint8Array | undefined
    if (c.body instanceof Uint8Array) body = c.body
    else if (typeof c.body === 'string') body = Buffer.from(c.body)
    else if (c.body !== undefined) {
      body = Buffer.from(JSON.stringify(c.body))
      headers['Content-Type'] = 'application/json'
    }
    let res
    try {
      res = await this.transport({method, url, headers, body, socketPath: this.settings.endpoint.socketPath})
    } catch (e) {
      throw transportError(method, url, e)
    }
    if ((res.status < 200 || res.status > 299) && !c.accept?.includes(res.status)) {
      const text = Buffer.from(res.body).toString('utf8').trim()
      throw new ApiError(res.status, `Unexpected response code: ${res.status} (${text})`, statusHint(res.status))
    }
    return {status: res.status, body: res.body, meta: parseMeta(res.headers)}
  }

  /** A call whose answer is JSON; `empty` stands in for accepted non-2xx answers. */
  async json<T>(method: string, path: string, c: CallOptions = {}, empty?: T): Promise<ApiResult<T>> {
    const r = await this.call(method, path, c)
    return {body: decodeJson<T>(r, empty), meta: r.meta}
  }
}

function decodeJson<T>(r: RawResult, empty: T | undefined): T {
  const text = Buffer.from(r.body).toString('utf8')
  if (text.trim() === '') return empty as T
  try {
    return JSON.parse(text) as T
  } catch {
    // An accepted error status may carry a plain-text reason instead of JSON.
    if (r.status < 200 || r.status > 299) return empty as T
    throw new ApiError(r.status, `Failed to decode response: ${text.slice(0, 200)}`)
  }
}

function statusHint(status: number): string | undefined {
  if (status === 403) return 'Check the ACL token (-token / CONSUL_HTTP_TOKEN)'
  return undefined
}

/** Shaped like the Go client's errors (`Get "url": dial tcp host:port: connect: connection refused`). */
function transportError(method: string, url: string, e: unknown): ApiError {
  const err = e as NodeJS.ErrnoException & {address?: string; port?: number}
  const verb = method.charAt(0) + method.slice(1).toLowerCase()
  const target = err.address ? `${err.address}${err.port ? `:${err.port}` : ''}` : new URL(url).host
  const reason =
    err.code === 'ECONNREFUSED' ? `dial tcp ${target}: connect: connection refused`
    : err.code === 'ENOENT' ? `dial unix ${target}: connect: no such file or directory`
    : err.message
  return new ApiError(0, `${verb} "${url}": ${reason}`, UNREACHABLE.has(err.code ?? '') ? AGENT_HINT : undefined)
}
