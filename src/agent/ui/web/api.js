// The only place the UI talks to the agent: the public /v1 HTTP API, with the ACL
// token from the store sent as X-Consul-Token, and reachability reported to the store.
import {getState, update} from './store.js'

export class ApiError extends Error {
  /** status 0 means the agent could not be reached at all. */
  constructor(status, message) {
    super(message || (status ? `HTTP ${status}` : 'agent unreachable'))
    this.status = status
  }
}

/**
 * One request. `query` values of '' become bare flags (?keys), undefined ones are
 * dropped. Resolves with the decoded body and the X-Consul-Index (0 when absent);
 * with allow404 a 404 resolves with data null instead of throwing.
 */
export async function api(path, {method = 'GET', query = {}, body, signal, dc, allow404 = false} = {}) {
  const url = new URL(`/v1/${path}`, location.origin)
  const params = {...query, dc}
  const search = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
  url.search = search.join('&')
  const headers = {}
  const {token} = getState()
  if (token) headers['X-Consul-Token'] = token
  let res
  try {
    res = await fetch(url, {method, body, signal, headers, cache: 'no-store'})
  } catch (e) {
    if (signal?.aborted) throw e
    update({reachable: false})
    throw new ApiError(0, 'agent unreachable')
  }
  update({reachable: true})
  const text = await res.text()
  // A missing KV key or node answers 404 with an index a blocking query can wait on.
  if (res.status === 404 && allow404) return {data: null, index: Number(res.headers.get('x-consul-index') ?? 0)}
  if (!res.ok) throw new ApiError(res.status, text.trim() || `HTTP ${res.status}`)
  const isJson = (res.headers.get('content-type') ?? '').includes('application/json')
  return {data: isJson && text ? JSON.parse(text) : text, index: Number(res.headers.get('x-consul-index') ?? 0)}
}

/** Path segments go into URLs one by one, so names with '/', '?' or '#' stay intact. */
export const enc = (name) => encodeURIComponent(name)
/** KV keys keep their slashes as path separators (as the KV API expects). */
export const encKey = (key) => key.split('/').map(encodeURIComponent).join('/')
