import {deleteNodeTxn, deleteServiceTxn, ensureNodeCASTxn, ensureNodeTxn, ensureServiceTxn} from './catalog.js'
import {StateError, quote} from './errors.js'
import {deleteCheckTxn, ensureCheckTxn} from './health.js'
import {
  kvDeleteCASTxn,
  kvDeleteTreeTxn,
  kvDeleteTxn,
  kvList,
  kvLockTxn,
  kvSetCASTxn,
  kvSetTxn,
  kvUnlockTxn,
} from './kv.js'
import {checkFromInput, nodeFromInput, serviceFromInput} from './normalize.js'
import type {HealthCheckInput, NodeInput, NodeServiceInput} from './requests.js'
import type {Tables} from './tables.js'
import type {HealthCheck, KVEntry, Node, NodeService} from './types.js'

/** Consul's /v1/txn operations (verbs as the API spells them). */
export type KVVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas'
export type CatalogVerb = 'get' | 'set' | 'cas' | 'delete' | 'delete-cas'

export interface TxnKVOp {
  Verb: KVVerb
  Key: string
  Value?: Uint8Array
  Flags?: number
  /** ModifyIndex for cas, check-index, delete-cas. */
  Index?: number
  Session?: string
}
export interface TxnNodeOp {
  Verb: CatalogVerb
  Node: NodeInput
}
export interface TxnServiceOp {
  Verb: CatalogVerb
  Node: string
  Service: NodeServiceInput
}
export interface TxnCheckOp {
  Verb: CatalogVerb
  Check: HealthCheckInput & {Node: string}
}
export type TxnOp = {KV: TxnKVOp} | {Node: TxnNodeOp} | {Service: TxnServiceOp} | {Check: TxnCheckOp}

export type TxnResult = {KV: KVEntry} | {Node: Node} | {Service: NodeService} | {Check: HealthCheck}
export interface TxnError {
  OpIndex: number
  What: string
}
/** On success errors is empty; on failure results is empty and nothing was written. */
export interface TxnResponse {
  results: TxnResult[]
  errors: TxnError[]
}

const READ_KV_VERBS: ReadonlySet<string> = new Set(['get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists'])

/** True when every op only reads, so the txn may skip Raft (Consul's TxnRO path). */
export function isReadOnlyTxn(ops: readonly TxnOp[]): boolean {
  return ops.every((op) => {
    if ('KV' in op) return READ_KV_VERBS.has(op.KV.Verb)
    if ('Node' in op) return op.Node.Verb === 'get'
    if ('Service' in op) return op.Service.Verb === 'get'
    if ('Check' in op) return op.Check.Verb === 'get'
    return false
  })
}

const EMPTY = new Uint8Array(0)
const fail = (msg: string): StateError => new StateError('invalid', msg)
/** Non-get results carry no value, as in Consul. */
const blank = (e: KVEntry): TxnResult => ({KV: {...e, Value: EMPTY}})

class Rollback extends Error {}

/**
 * Run ops in one atomic write at Raft index idx (Consul's TxnRW): every op runs,
 * each failure is recorded with its OpIndex, and if any failed all changes are
 * rolled back. KV lock in a txn ignores lock-delay, as in Consul.
 */
export function txnWrite(t: Tables, idx: number, ops: readonly TxnOp[], now: number): TxnResponse {
  let response: TxnResponse | undefined
  try {
    t.ctx.write(() => {
      response = dispatch(t, idx, ops, now, false)
      if (response.errors.length) throw new Rollback()
    })
  } catch (err) {
    if (!(err instanceof Rollback)) throw err
  }
  return response!
}

/** Run read-only ops without an index (Consul's TxnRO); write verbs are reported as errors. */
export function txnRead(t: Tables, ops: readonly TxnOp[]): TxnResponse {
  return dispatch(t, 0, ops, 0, true)
}

function dispatch(t: Tables, idx: number, ops: readonly TxnOp[], now: number, readOnly: boolean): TxnResponse {
  const results: TxnResult[] = []
  const errors: TxnError[] = []
  ops.forEach((op, i) => {
    try {
      if (readOnly && !isReadOnlyTxn([op])) throw fail('cannot run a write operation in a read-only transaction')
      let out: TxnResult[]
      if ('KV' in op) out = kvOp(t, idx, op.KV)
      else if ('Node' in op) out = nodeOp(t, idx, op.Node, now)
      else if ('Service' in op) out = serviceOp(t, idx, op.Service, now)
      else if ('Check' in op) out = checkOp(t, idx, op.Check, now)
      else throw fail('no operation specified')
      results.push(...out)
    } catch (err) {
      if (!(err instanceof StateError)) throw err
      errors.push({OpIndex: i, What: err.message})
    }
  })
  return errors.length ? {results: [], errors} : {results, errors}
}

function kvOp(t: Tables, idx: number, op: TxnKVOp): TxnResult[] {
  const key = op.Key
  const input = {Key: key, Flags: op.Flags, Value: op.Value}
  switch (op.Verb) {
    case 'set':
      return [blank(kvSetTxn(t, idx, input))]
    case 'cas': {
      const e = kvSetCASTxn(t, idx, input, op.Index ?? 0)
      if (!e) throw fail(`failed to set key ${quote(key)}, index is stale`)
      return [blank(e)]
    }
    case 'lock': {
      const e = kvLockTxn(t, idx, input, op.Session ?? '')
      if (!e) throw fail(`failed to lock key ${quote(key)}, lock is already held`)
      return [blank(e)]
    }
    case 'unlock': {
      const e = kvUnlockTxn(t, idx, input, op.Session ?? '')
      if (!e) throw fail(`failed to unlock key ${quote(key)}, lock isn't held, or is held by another session`)
      return [blank(e)]
    }
    case 'get': {
      const e = t.kv.get(key)
      if (!e) throw fail(`key ${quote(key)} doesn't exist`)
      return [{KV: e}]
    }
    case 'get-or-empty': {
      const e = t.kv.get(key)
      if (e) return [{KV: e}]
      const empty: KVEntry = {Key: key, Flags: op.Flags ?? 0, Value: EMPTY, LockIndex: 0, CreateIndex: 0, ModifyIndex: op.Index ?? 0}
      if (op.Session) empty.Session = op.Session
      return [{KV: empty}]
    }
    case 'get-tree':
      return kvList(t, key).entries.map((e) => ({KV: e}))
    case 'check-index': {
      const e = t.kv.get(key)
      if (!e) throw fail(`failed to check index, key ${quote(key)} doesn't exist`)
      const want = op.Index ?? 0
      if (e.ModifyIndex !== want) {
        throw fail(`failed index check for key ${quote(key)}, current modify index ${e.ModifyIndex} != ${want}`)
      }
      return [blank(e)]
    }
    case 'check-session': {
      const e = t.kv.get(key)
      if (!e) throw fail(`failed to check session, key ${quote(key)} doesn't exist`)
      const want = op.Session ?? ''
      if ((e.Session ?? '') !== want) {
        throw fail(`failed session check for key ${quote(key)}, current session ${quote(e.Session ?? '')} != ${quote(want)}`)
      }
      return [blank(e)]
    }
    case 'check-not-exists':
      if (t.kv.has(key)) throw fail(`key ${quote(key)} exists`)
      return []
    case 'delete':
      kvDeleteTxn(t, idx, key)
      return []
    case 'delete-tree':
      kvDeleteTreeTxn(t, idx, key)
      return []
    case 'delete-cas':
      if (!kvDeleteCASTxn(t, idx, op.Index ?? 0, key)) throw fail(`failed to delete key ${quote(key)}, index is stale`)
      return []
    default:
      throw fail(`unknown KV verb ${quote(String((op as {Verb: unknown}).Verb))}`)
  }
}

function nodeOp(t: Tables, idx: number, op: TxnNodeOp, now: number): TxnResult[] {
  const name = op.Node.Node
  const find = (): Node | undefined => (op.Node.ID ? t.nodes.byNodeId(op.Node.ID) : t.nodes.byName(name))
  switch (op.Verb) {
    case 'get': {
      const n = find()
      if (!n) throw fail(`node ${quote(name)} doesn't exist`)
      return [{Node: n}]
    }
    case 'set':
      ensureNodeTxn(t, idx, nodeFromInput(op.Node), now)
      return [{Node: find()!}]
    case 'cas':
      if (!ensureNodeCASTxn(t, idx, nodeFromInput(op.Node), op.Node.ModifyIndex ?? 0, now)) {
        throw fail(`failed to set node ${quote(name)}, index is stale`)
      }
      return [{Node: find()!}]
    case 'delete':
      deleteNodeTxn(t, idx, name, now)
      return []
    case 'delete-cas': {
      const n = t.nodes.byName(name)
      if (!n || n.ModifyIndex !== (op.Node.ModifyIndex ?? 0)) throw fail(`failed to delete node ${quote(name)}, index is stale`)
      deleteNodeTxn(t, idx, name, now)
      return []
    }
    default:
      throw fail(`unknown Node verb ${quote(String((op as {Verb: unknown}).Verb))}`)
  }
}

function serviceOp(t: Tables, idx: number, op: TxnServiceOp, now: number): TxnResult[] {
  const svc = serviceFromInput(op.Service)
  const id = svc.ID
  const current = (): NodeService | undefined => t.services.getOn(op.Node, id)?.Service
  switch (op.Verb) {
    case 'get': {
      const s = current()
      if (!s) throw fail(`service ${quote(id)} on node ${quote(op.Node)} doesn't exist`)
      return [{Service: s}]
    }
    case 'set':
      ensureServiceTxn(t, idx, op.Node, svc)
      return [{Service: current()!}]
    case 'cas': {
      const cas = op.Service.ModifyIndex ?? 0
      const existing = current()
      if ((cas === 0 && existing) || (cas !== 0 && (!existing || existing.ModifyIndex !== cas))) {
        throw fail(`failed to set service ${quote(id)} on node ${quote(op.Node)}, index is stale`)
      }
      ensureServiceTxn(t, idx, op.Node, svc)
      return [{Service: current()!}]
    }
    case 'delete':
      deleteServiceTxn(t, idx, op.Node, id, now)
      return []
    case 'delete-cas': {
      const existing = current()
      if (!existing || existing.ModifyIndex !== (op.Service.ModifyIndex ?? 0)) {
        throw fail(`failed to delete service ${quote(id)} on node ${quote(op.Node)}, index is stale`)
      }
      deleteServiceTxn(t, idx, op.Node, id, now)
      return []
    }
    default:
      throw fail(`unknown Service verb ${quote(String((op as {Verb: unknown}).Verb))}`)
  }
}

function checkOp(t: Tables, idx: number, op: TxnCheckOp, now: number): TxnResult[] {
  const hc = checkFromInput(op.Check, op.Check.Node)
  const current = (): HealthCheck | undefined => t.checks.getOn(hc.Node, hc.CheckID)
  switch (op.Verb) {
    case 'get': {
      const c = current()
      if (!c) throw fail(`check ${quote(hc.CheckID)} on node ${quote(hc.Node)} doesn't exist`)
      return [{Check: c}]
    }
    case 'set':
      ensureCheckTxn(t, idx, hc, now)
      return [{Check: current()!}]
    case 'cas': {
      const cas = op.Check.ModifyIndex ?? 0
      const existing = current()
      if ((cas === 0 && existing) || (cas !== 0 && (!existing || existing.ModifyIndex !== cas))) {
        throw fail(`failed to set check ${quote(hc.CheckID)} on node ${quote(hc.Node)}, index is stale`)
      }
      ensureCheckTxn(t, idx, hc, now)
      return [{Check: current()!}]
    }
    case 'delete':
      deleteCheckTxn(t, idx, hc.Node, hc.CheckID, now)
      return []
    case 'delete-cas': {
      const existing = current()
      if (!existing || existing.ModifyIndex !== (op.Check.ModifyIndex ?? 0)) {
        throw fail(`failed to delete check ${quote(hc.CheckID)} on node ${quote(hc.Node)}, index is stale`)
      }
      deleteCheckTxn(t, idx, hc.Node, hc.CheckID, now)
      return []
    }
    default:
      throw fail(`unknown Check verb ${quote(String((op as {Verb: unknown}).Verb))}`)
  }
}
