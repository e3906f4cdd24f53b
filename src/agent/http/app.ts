import {EndpointError, type EndpointErrorCode} from '../server/endpoints/errors.js'
import {HttpError} from './errors.js'
import type {HttpRequest, HttpResponse, Reply, Route} from './types.js'

/**
 * request → response, without sockets: route lookup (exact paths first, then the
 * longest prefix), 404/405 with Allow, OPTIONS, error rendering, Consul's headers.
 */
export function createApp<Ctx>(routes: Route<Ctx>[], ctx: Ctx, opts: {log?: (msg: string, f?: Record<string, unknown>) => void} = {}) {
  const exact = new Map<string, Route<Ctx>>()
  const prefixes: Route<Ctx>[] = []
  for (const r of routes) {
    if (r.path.endsWith('/') && !r.exact) prefixes.push(r)
    else exact.set(r.path, r)
  }
  prefixes.sort((a, b) => b.path.length - a.path.length)

  const match = (path: string): {route: Route<Ctx>; rest: string} | undefined => {
    const e = exact.get(path)
    if (e) return {route: e, rest: ''}
    for (const r of prefixes) {
      if (path.startsWith(r.path)) return {route: r, rest: path.slice(r.path.length)}
      if (path === r.path.slice(0, -1)) return {route: r, rest: ''}
    }
    return undefined
  }

  return async function handle(req: HttpRequest): Promise<HttpResponse> {
    const res = await dispatch(req)
    // Consul (1.9+) sends this on every response, ACLs enabled or not; clients read it.
    res.headers['x-consul-default-acl-policy'] = 'allow'
    return res
  }

  async function dispatch(req: HttpRequest): Promise<HttpResponse> {
    const m = match(req.path)
    if (!m) return text(404, '')
    const {route, rest} = m
    if (req.method === 'OPTIONS') {
      return {status: 200, headers: {allow: ['OPTIONS', ...route.methods].join(',')}, body: ''}
    }
    if (!route.methods.includes(req.method)) {
      return {status: 405, headers: {allow: ['OPTIONS', ...route.methods].join(','), 'content-type': 'text/plain; charset=utf-8'}, body: `method ${req.method} not allowed`}
    }
    try {
      const reply = await route.handler(req, {rest}, ctx)
      return render(reply, req)
    } catch (e) {
      if (e instanceof HttpError) {
        return {status: e.status, headers: {'content-type': 'text/plain; charset=utf-8', ...e.headers}, body: e.message}
      }
      // An endpoint's error, locally or over RPC: the same status either way.
      if (e instanceof EndpointError) return text(endpointStatus(e.code), e.message)
      opts.log?.('request failed', {path: req.path, error: String((e as Error)?.stack ?? e)})
      return text(500, String((e as Error)?.message ?? e))
    }
  }
}

const ENDPOINT_STATUS: Partial<Record<EndpointErrorCode, number>> = {'bad-request': 400, 'not-found': 404, conflict: 409, 'too-large': 413, 'rate-limited': 429}

/** Consul answers most RPC errors (no leader, no path, no servers) with a 500. */
export function endpointStatus(code: EndpointErrorCode): number {
  return ENDPOINT_STATUS[code] ?? 500
}

function text(status: number, body: string): HttpResponse {
  return {status, headers: {'content-type': 'text/plain; charset=utf-8'}, body}
}

export function render(reply: Reply, req: HttpRequest): HttpResponse {
  const headers: Record<string, string> = {...reply.headers}
  if (reply.meta) {
    headers['x-consul-index'] = String(Math.max(1, reply.meta.index))
    headers['x-consul-knownleader'] = String(reply.meta.knownLeader)
    headers['x-consul-lastcontact'] = String(Math.round(reply.meta.lastContactMs))
    if (reply.meta.consistency) headers['x-consul-effective-consistency'] = reply.meta.consistency
  }
  if (reply.raw !== undefined) {
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8'
    return {status: reply.status ?? 200, headers, body: reply.raw}
  }
  if (reply.json === undefined) return {status: reply.status ?? 200, headers, body: ''}
  headers['content-type'] = 'application/json'
  const pretty = req.query.has('pretty')
  return {status: reply.status ?? 200, headers, body: JSON.stringify(reply.json, null, pretty ? 4 : undefined)}
}
