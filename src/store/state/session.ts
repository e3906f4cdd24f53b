import {StateError, errMissingNode} from './errors.js'
import {MAX_LOCK_DELAY_NS, kvDeleteTxn, kvSetTxn} from './kv.js'
import type {SessionInput} from './requests.js'
import {preparedQueryDeleteTxn} from './prepared-query.js'
import {sessionCheckIds} from './session-table.js'
import type {Tables} from './tables.js'
import type {Session, SessionBehavior} from './types.js'
import type {WatchSet} from './watch.js'

/**
 * Create (or overwrite) a session. The node must be registered and every
 * check it names must exist on that node and not be critical.
 */
export function sessionCreateTxn(t: Tables, idx: number, input: SessionInput): Session {
  if (!input.ID) throw new StateError('missing-session-id', 'Missing session ID')
  let behavior: SessionBehavior
  switch (input.Behavior ?? '') {
    case '':
    case 'release':
      behavior = 'release'
      break
    case 'delete':
      behavior = 'delete'
      break
    default:
      throw new StateError('invalid-behavior', `Invalid session behavior: ${input.Behavior}`)
  }
  const node = t.nodes.byName(input.Node)
  if (!node) throw errMissingNode()
  const session: Session = {
    ID: input.ID,
    Name: input.Name ?? '',
    Node: input.Node,
    LockDelay: input.LockDelay ?? 0,
    Behavior: behavior,
    TTL: input.TTL ?? '',
    NodeChecks: [...(input.NodeChecks ?? [])],
    ServiceChecks: (input.ServiceChecks ?? []).map((c) => ({...c})),
    CreateIndex: idx,
    ModifyIndex: idx,
  }
  for (const checkId of sessionCheckIds(session)) {
    const check = t.checks.getOn(session.Node, checkId)
    if (!check) throw new StateError('missing-check', `Missing check '${checkId}' registration`)
    if (check.Status === 'critical') {
      throw new StateError('check-critical', `Check '${checkId}' is in ${check.Status} state`)
    }
  }
  t.sessions.set(session.ID, session)
  t.ctx.index.bump('sessions', idx)
  return session
}

/**
 * Destroy a session and invalidate it: keys it holds are released (behavior
 * `release`, value kept) or deleted (`delete`), and each gets a lock-delay
 * until now + min(LockDelay, 60s); prepared queries bound to it are deleted.
 * A missing session is a no-op.
 */
export function sessionDestroyTxn(t: Tables, idx: number, id: string, now: number): void {
  const session = t.sessions.get(id)
  if (!session) return
  t.sessions.delete(id)
  t.ctx.index.bump('sessions', idx)
  t.delays.pruneExpired(now)
  const delayNs = Math.min(session.LockDelay, MAX_LOCK_DELAY_NS)
  for (const key of t.kv.heldBy(id)) {
    const entry = t.kv.get(key)!
    if (session.Behavior === 'delete') kvDeleteTxn(t, idx, key)
    else kvSetTxn(t, idx, entry, {value: undefined})
    if (delayNs > 0) t.delays.set(key, {Key: key, Expires: now + delayNs / 1e6})
  }
  // Prepared queries bound to the session go with it (Consul's deleteSessionTxn).
  for (const qid of t.queries.forSession(id)) preparedQueryDeleteTxn(t, idx, qid)
}

export function sessionGet(t: Tables, id: string, ws?: WatchSet): {index: number; value: Session | undefined} {
  ws?.add('session:' + id)
  return {index: t.ctx.index.max('sessions'), value: t.sessions.get(id)}
}

export function sessionList(t: Tables, ws?: WatchSet): {index: number; value: Session[]} {
  ws?.add('table:sessions')
  return {index: t.ctx.index.max('sessions'), value: t.sessions.list()}
}

export function sessionsForNode(t: Tables, node: string, ws?: WatchSet): {index: number; value: Session[]} {
  ws?.add('sessions:node:' + node.toLowerCase())
  return {index: t.ctx.index.max('sessions'), value: t.sessions.forNode(node)}
}
