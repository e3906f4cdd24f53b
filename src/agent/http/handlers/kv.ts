import type {AgentContext} from '../../context.js'
import type {KVEntry} from '../../../store/state/types.js'
import {HttpError, badRequest} from '../errors.js'
import {uintParam} from '../query-options.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {checkDatacenter} from './catalog.js'

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
  checkDatacenter(req, ctx)
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
  const {value, meta} = await ctx.read(req, (s, ws) => {
    if (recurse) {
      const r = s.kvList(key, ws)
      return {index: r.index, value: r.entries}
    }
    const r = s.kvGet(key, ws)
    return {index: r.index, value: r.entry ? [r.entry] : []}
  })
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
  const {value, meta} = await ctx.read(req, (s, ws) => {
    const r = s.kvKeys(prefix, sep, ws)
    return {index: r.index, value: r.keys}
  })
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
  const entry = {Key: key, Flags: flags, Value: new Uint8Array(req.body)}
  const now = ctx.env.clock.wallMs()
  const acquire = req.query.get('acquire')
  const release = req.query.get('release')
  let cmd
  if (req.query.has('cas')) cmd = {type: 'kv', op: 'cas', entry, cas: uintParam(req, 'cas') ?? 0, now} as const
  else if (acquire !== null) cmd = {type: 'kv', op: 'lock', entry, session: requireSession(acquire), now} as const
  else if (release !== null) cmd = {type: 'kv', op: 'unlock', entry, session: requireSession(release), now} as const
  else cmd = {type: 'kv', op: 'set', entry, now} as const
  const result = await ctx.apply(cmd)
  return {json: cmd.op === 'set' ? true : Boolean(result)}
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
  const now = ctx.env.clock.wallMs()
  if (req.query.has('cas')) {
    const cas = uintParam(req, 'cas') ?? 0
    return {json: Boolean(await ctx.apply({type: 'kv', op: 'delete-cas', entry: {Key: key}, cas, now}))}
  }
  await ctx.apply(recurse ? {type: 'kv', op: 'delete-tree', entry: {Key: key}, now} : {type: 'kv', op: 'delete', entry: {Key: key}, now})
  return {json: true}
}
