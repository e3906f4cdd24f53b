import type {AgentContext} from '../../context.js'
import type {KVEntry} from '../../../store/state/types.js'
import {HttpError, badRequest} from '../errors.js'
import {blockingSignal, uintParam} from '../query-options.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {rpcQuery} from '../rpc-query.js'

/** Consul's JSON shape of a KV entry (Value base64, null when empty). */
export function renderEntry(e: KVEntry) {
  const out: Record<string, unknown> = {
    LockIndex: e.LockIndex,
    Key: e.Key,
    Flags: e.Flags,
    Value: e.Value.length ? Buffer.from(e.Value).toString('base64') : null,
    CreateIndex: e.CreateIndex,
    ModifyIndex: e.ModifyIndex,
  }
  if (e.Session) out.Session = e.Session
  return out
}

/**
 * Key rules: empty keys are refused where a key is needed ("Missing key name") and a
 * leading "/" is refused as current Consul does. Departure: Consul 1.21+ also refuses
 * many characters and file-like suffixes (".json"); dc keeps accepting them because
 * existing configuration trees use such keys. Control characters and "../" are refused.
 */
export function validateKey(key: string): void {
  if (key.startsWith('/')) throw badRequest("key must not begin with a '/'")
  if (key.includes('../') || key.includes('..\\')) throw badRequest('key contains path traversal sequence')
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f]/.exec(key)
  if (bad) throw badRequest(`key contains invalid character at position ${bad.index}`)
}

function conflicting(req: HttpRequest, ...names: string[]) {
  if (names.filter((n) => req.query.has(n)).length > 1) throw badRequest(`Conflicting flags: ${req.query.toString()}`)
}

export async function kv(req: HttpRequest, p: RouteParams, ctx: AgentContext): Promise<Reply> {
  const key = p.rest
  if (key !== '') validateKey(key)
  switch (req.method) {
    case 'GET':
      return req.query.has('keys') ? getKeys(req, key, ctx) : get(req, key, ctx)
    case 'PUT':
      return put(req, key, ctx)
    default:
      return del(req, key, ctx)
  }
}

async function get(req: HttpRequest, key: string, ctx: AgentContext): Promise<Reply> {
  const recurse = req.query.has('recurse')
  if (!recurse && key === '') throw badRequest('Missing key name')
  const q = {Key: key, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}
  const {value, meta} = recurse ? await ctx.rpc('KVS.List', q, blockingSignal(req)) : await ctx.rpc('KVS.Get', q, blockingSignal(req))
  if (value.length === 0) return {status: 404, meta}
  if (req.query.has('raw') && !recurse) {
    return {
      raw: Buffer.from(value[0].Value),
      contentType: 'text/plain',
      headers: {'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox'},
      meta,
    }
  }
  return {json: value.map(renderEntry), meta}
}

async function getKeys(req: HttpRequest, prefix: string, ctx: AgentContext): Promise<Reply> {
  // Consul honours its historic misspelling too.
  const sep = req.query.get('separator') ?? req.query.get('seperator') ?? ''
  const {value, meta} = await ctx.rpc('KVS.ListKeys', {Prefix: prefix, Seperator: sep, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))}, blockingSignal(req))
  if (value.length === 0 && prefix !== '') return {status: 404, meta}
  return {json: value, meta}
}

async function put(req: HttpRequest, key: string, ctx: AgentContext): Promise<Reply> {
  if (key === '') throw badRequest('Missing key name')
  conflicting(req, 'cas', 'acquire', 'release')
  if (req.body.length > ctx.config.kvMaxValueSize) {
    throw new HttpError(413, `Request body(${req.body.length} bytes) too large, max size: ${ctx.config.kvMaxValueSize} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`)
  }
  const flags = uintParam(req, 'flags') ?? 0
  const dirEnt = {Key: key, Flags: flags, Value: new Uint8Array(req.body)}
  const acquire = req.query.get('acquire')
  const release = req.query.get('release')
  const Datacenter = req.query.get('dc') || undefined
  let ok: boolean
  if (req.query.has('cas')) ok = await ctx.rpc('KVS.Apply', {Datacenter, Op: 'cas', DirEnt: {...dirEnt, ModifyIndex: uintParam(req, 'cas') ?? 0}})
  else if (acquire !== null) ok = await ctx.rpc('KVS.Apply', {Datacenter, Op: 'lock', DirEnt: {...dirEnt, Session: requireSession(acquire)}})
  else if (release !== null) ok = await ctx.rpc('KVS.Apply', {Datacenter, Op: 'unlock', DirEnt: {...dirEnt, Session: requireSession(release)}})
  else ok = await ctx.rpc('KVS.Apply', {Datacenter, Op: 'set', DirEnt: dirEnt})
  return {json: ok}
}

function requireSession(id: string): string {
  if (!id) throw badRequest('Missing session')
  return id
}

async function del(req: HttpRequest, key: string, ctx: AgentContext): Promise<Reply> {
  conflicting(req, 'recurse', 'cas')
  // As in Consul, the parameter's presence means recurse, whatever its value.
  const recurse = req.query.has('recurse')
  if (!recurse && key === '') throw badRequest('Missing key name')
  const Datacenter = req.query.get('dc') || undefined
  if (req.query.has('cas')) {
    return {json: await ctx.rpc('KVS.Apply', {Datacenter, Op: 'delete-cas', DirEnt: {Key: key, ModifyIndex: uintParam(req, 'cas') ?? 0}})}
  }
  return {json: await ctx.rpc('KVS.Apply', {Datacenter, Op: recurse ? 'delete-tree' : 'delete', DirEnt: {Key: key}})}
}
