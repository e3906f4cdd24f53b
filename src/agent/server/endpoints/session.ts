import type {Session} from '../../../store/state/types.js'
import {EndpointError} from './errors.js'
import {checkDc, query, type EndpointDeps, type QueryOptions, type Read} from './query.js'

/** Leader-side TTL timers (Consul invalidates a session 2×TTL after its last renewal). */
export interface SessionTimerPort {
  reset(id: string, ttl: string): void
  clear(id: string): void
}

export type SessionApplyRequest =
  | {Datacenter?: string; Op: 'create'; Session: Omit<Session, 'ID' | 'CreateIndex' | 'ModifyIndex'>}
  | {Datacenter?: string; Op: 'destroy'; Session: {ID: string}}

export function sessionEndpoints(d: EndpointDeps, timers: SessionTimerPort) {
  return {
    /** create → the new session's ID (minted here, on the server); destroy → true. */
    'Session.Apply': async (r: SessionApplyRequest): Promise<string | boolean> => {
      checkDc(d, r.Datacenter)
      const now = d.env.clock.wallMs()
      if (r.Op === 'destroy') {
        await d.server.apply({type: 'session', op: 'destroy', session: {ID: r.Session.ID}, now})
        timers.clear(r.Session.ID)
        return true
      }
      const session = {...r.Session, ID: d.env.random.uuid()}
      const id = await d.server.apply({type: 'session', op: 'create', session, now})
      if (typeof id !== 'string') throw new EndpointError('internal', `session create failed: ${String(id)}`)
      if (session.TTL) timers.reset(id, session.TTL)
      return id
    },
    'Session.Get': (r: {SessionID: string} & QueryOptions, signal?: AbortSignal): Promise<Read<Session[]>> =>
      query(d, r, (s, ws) => {
        const g = s.sessionGet(r.SessionID, ws)
        return {index: g.index, value: g.value ? [g.value] : []}
      }, signal),
    'Session.List': (r: QueryOptions, signal?: AbortSignal): Promise<Read<Session[]>> => query(d, r, (s, ws) => s.sessionList(ws), signal),
    'Session.NodeSessions': (r: {Node: string} & QueryOptions, signal?: AbortSignal): Promise<Read<Session[]>> =>
      query(d, r, (s, ws) => s.sessionsForNode(r.Node, ws), signal),
    /** Renewal resets the leader's TTL timer; not-found when the session is gone. */
    'Session.Renew': async (r: {SessionID: string} & QueryOptions): Promise<Read<Session[]>> => {
      const got = await query(d, {...r, MinQueryIndex: 0, AllowStale: false, RequireConsistent: false}, (s) => s.sessionGet(r.SessionID))
      if (!got.value) throw new EndpointError('not-found', `Session id '${r.SessionID}' not found`)
      if (got.value.TTL) timers.reset(got.value.ID, got.value.TTL)
      return {value: [got.value], meta: got.meta}
    },
  }
}
