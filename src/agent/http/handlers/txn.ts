import type {AgentContext} from '../../context.js'
import type {TxnOp, TxnResponse, TxnResult} from '../../../store/state/txn.js'
import {isReadOnlyTxn, type KVVerb as TxnKVVerb} from '../../../store/state/txn.js'
import {HttpError, badRequest} from '../errors.js'
import type {HttpRequest, Reply, RouteParams} from '../types.js'
import {rpcQuery} from '../rpc-query.js'
import {renderEntry, validateKey} from './kv.js'

const MAX_OPS = 128
const KV_VERBS = new Set(['set', 'cas', 'lock', 'unlock', 'get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists', 'delete', 'delete-tree', 'delete-cas'])
const CATALOG_VERBS = new Set(['get', 'set', 'cas', 'delete', 'delete-cas'])

interface RawKVOp {
  Verb?: string
  Key?: string
  Value?: string | null
  Flags?: number
  Index?: number
  Session?: string
}

/** PUT /v1/txn: Consul's transaction API (KV verbs), atomic; 409 with per-op errors on rollback. */
export async function txn(req: HttpRequest, _p: RouteParams, ctx: AgentContext): Promise<Reply> {
  if (req.body.length > ctx.config.txnMaxReqLen) {
    throw new HttpError(413, `Request body(${req.body.length} bytes) too large, max size: ${ctx.config.txnMaxReqLen} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#txn_max_req_len.`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(req.body.toString('utf8'))
  } catch (e) {
    throw badRequest(`Failed to parse body: ${(e as Error).message}`)
  }
  if (!Array.isArray(raw)) throw badRequest('Failed to parse body: expected a JSON array of operations')
  if (raw.length > MAX_OPS) throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${MAX_OPS})`)
  const ops = raw.map((op, i) => convertOp(op, i, ctx.config.kvMaxValueSize))
  let out: TxnResponse
  let meta
  if (isReadOnlyTxn(ops)) {
    const r = await ctx.rpc('Txn.Read', {Ops: ops, ...rpcQuery(ctx.queryOptions(req), req.query.get('dc'))})
    out = r.value
    meta = r.meta
  } else {
    out = await ctx.rpc('Txn.Apply', {Datacenter: req.query.get('dc') || undefined, Ops: ops})
  }
  if (out.errors.length) return {status: 409, json: {Results: null, Errors: out.errors}, meta}
  return {json: {Results: out.results.map(renderResult), Errors: null}, meta}
}

function renderResult(r: TxnResult) {
  if ('KV' in r) return {KV: renderEntry(r.KV)}
  return r
}

function convertOp(op: unknown, i: number, maxValue: number): TxnOp {
  if (!op || typeof op !== 'object') throw badRequest(`Failed to parse body: operation ${i} is not an object`)
  const o = op as Record<string, {Verb?: unknown}>
  for (const kind of ['Node', 'Service', 'Check'] as const) {
    if (o[kind]) {
      if (!CATALOG_VERBS.has(String(o[kind].Verb))) throw badRequest(`Failed to parse body: operation ${i}: unknown ${kind} verb ${JSON.stringify(o[kind].Verb)}`)
      return {[kind]: o[kind]} as unknown as TxnOp
    }
  }
  if (!o.KV) throw badRequest(`Failed to parse body: operation ${i}: expected one of KV, Node, Service, Check`)
  const kv = o.KV as RawKVOp
  const verb = kv.Verb
  if (typeof verb !== 'string' || !KV_VERBS.has(verb)) throw badRequest(`Failed to parse body: operation ${i}: unknown KV verb ${JSON.stringify(verb)}`)
  const key = kv.Key ?? ''
  if (typeof key !== 'string') throw badRequest(`Failed to parse body: operation ${i}: Key must be a string`)
  if (key) validateKey(key)
  let value = new Uint8Array()
  if (kv.Value !== undefined && kv.Value !== null) {
    if (typeof kv.Value !== 'string') throw badRequest(`Failed to parse body: operation ${i}: Value must be base64`)
    value = new Uint8Array(Buffer.from(kv.Value, 'base64'))
    if (value.length > maxValue) throw new HttpError(413, `Value for key "${key}" is too large (${value.length} > ${maxValue} bytes)`)
  }
  return {KV: {Verb: verb as TxnKVVerb, Key: key, Value: value, Flags: Number(kv.Flags ?? 0), Index: Number(kv.Index ?? 0), Session: kv.Session ?? ''}}
}
