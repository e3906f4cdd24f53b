/**
 * Query-string building and response metadata, shared by every API area.
 * Consul reads flag-like parameters by presence (`?recurse`, `?stale`), so `true`
 * is written as a bare key and `false`/undefined are left out.
 */
export interface WriteOptions {
  /** `?dc=`: forward to another datacenter (defaults to the client's -datacenter). */
  datacenter?: string
  /** Sent as X-Consul-Token (defaults to the client's token). */
  token?: string
}

export interface QueryOptions extends WriteOptions {
  /** Blocking query: return once the result's index is greater than this. */
  index?: number
  /** Longest wait for a blocking query: a Consul duration ("30s", "5m") or milliseconds. */
  wait?: string | number
  stale?: boolean
  consistent?: boolean
  /** go-bexpr filter expression, evaluated by the server. */
  filter?: string
  /** Sort by estimated RTT from this node (`_agent` = the queried agent). */
  near?: string
  /** Filter on node metadata (`?node-meta=key:value`, repeatable). */
  nodeMeta?: Record<string, string>
}

/** What every read answers besides its body (from the X-Consul-* headers). */
export interface QueryMeta {
  /** X-Consul-Index; 0 when the endpoint sent none. Feed it back as `index` to block. */
  lastIndex: number
  /** X-Consul-KnownLeader. */
  knownLeader: boolean
  /** X-Consul-LastContact in milliseconds. */
  lastContact: number
}

export interface ApiResult<T> {
  body: T
  meta: QueryMeta
}

export type ParamValue = string | number | boolean | readonly string[] | undefined
export type Params = Record<string, ParamValue>

/** `{a: true, b: 'x y', c: ['1', '2']}` → `?a&b=x%20y&c=1&c=2` ('' when nothing is set). */
export function encodeQuery(params: Params): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === false) continue
    const key = encodeURIComponent(k)
    if (v === true) parts.push(key)
    else if (Array.isArray(v)) for (const item of v) parts.push(`${key}=${encodeURIComponent(item)}`)
    else parts.push(`${key}=${encodeURIComponent(String(v))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

/** The query parameters a QueryOptions stands for (dc and token are added by the client). */
export function queryParams(q: QueryOptions = {}): Params {
  return {
    index: q.index,
    wait: typeof q.wait === 'number' ? `${Math.round(q.wait)}ms` : q.wait,
    stale: q.stale,
    consistent: q.consistent,
    filter: q.filter || undefined,
    near: q.near || undefined,
    'node-meta': q.nodeMeta ? Object.entries(q.nodeMeta).map(([k, v]) => `${k}:${v}`) : undefined,
  }
}

export function parseMeta(headers: Record<string, string | undefined>): QueryMeta {
  const index = Number(headers['x-consul-index'] ?? 0)
  const contact = Number(headers['x-consul-lastcontact'] ?? 0)
  return {
    lastIndex: Number.isFinite(index) ? index : 0,
    knownLeader: headers['x-consul-knownleader'] === 'true',
    lastContact: Number.isFinite(contact) ? contact : 0,
  }
}

/** Keys may hold any byte but `/` separates path segments; keep the slashes readable. */
export function encodePath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}
