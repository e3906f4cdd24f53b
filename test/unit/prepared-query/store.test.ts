import {describe, expect, it} from 'vitest'
import {Fsm, encodeCommand} from '../../../src/store/fsm/index.js'
import {StateError, StateStore, WatchSet, dump, normalizeQuery, restore} from '../../../src/store/state/index.js'
import {addNode} from '../state/helpers.js'

const src = {Datacenter: 'dc1', Segment: '', Node: 'n1', Ip: ''}
const ID1 = '11111111-1111-1111-1111-111111111111'
const ID2 = '22222222-2222-2222-2222-222222222222'
const ID3 = '33333333-3333-3333-3333-333333333333'

function store(): StateStore {
  const s = new StateStore()
  addNode(s, 1, 'n1')
  return s
}

describe('prepared query table', () => {
  it('keeps CreateIndex on update, bumps the table index and wakes watchers', () => {
    const s = store()
    s.preparedQuerySet(2, normalizeQuery({ID: ID1, Name: 'web', Service: {Service: 'web'}}))
    const ws = new WatchSet()
    expect(s.preparedQueryGet(ID1, ws).value).toMatchObject({CreateIndex: 2, ModifyIndex: 2})
    let woke = false
    s.hub.wait(ws, () => (woke = true))
    s.preparedQuerySet(5, normalizeQuery({ID: ID1, Name: 'web', Service: {Service: 'web2'}}))
    expect(woke).toBe(true)
    expect(s.preparedQueryGet(ID1).value).toMatchObject({CreateIndex: 2, ModifyIndex: 5, Service: {Service: 'web2'}})
    expect(s.maxIndex('prepared-queries')).toBe(5)
  })

  it('refuses a taken name, a name equal to an ID, a second unnamed template, an unknown session', () => {
    const s = store()
    s.preparedQuerySet(2, normalizeQuery({ID: ID1, Name: 'web', Service: {Service: 'web'}}))
    const err = (q: Parameters<typeof normalizeQuery>[0]) => {
      try {
        s.preparedQuerySet(3, normalizeQuery(q))
      } catch (e) {
        expect(e).toBeInstanceOf(StateError)
        return (e as Error).message
      }
      return 'no error'
    }
    expect(err({ID: ID2, Name: 'WEB', Service: {Service: 'x'}})).toBe("name 'WEB' aliases an existing query name")
    expect(err({ID: ID2, Name: ID1, Service: {Service: 'x'}})).toBe(`name '${ID1}' aliases an existing query ID`)
    expect(err({ID: ID2, Session: 'nope', Service: {Service: 'x'}})).toBe('invalid session "nope"')
    expect(err({ID: ID2, Template: {Type: 'name_prefix_match', Regexp: '('}, Service: {Service: 'x'}})).toMatch(/^failed compiling template: Bad Regexp: /)
    s.preparedQuerySet(4, normalizeQuery({ID: ID2, Template: {Type: 'name_prefix_match'}, Service: {Service: '${name.full}'}}))
    expect(err({ID: ID3, Template: {Type: 'name_prefix_match'}, Service: {Service: 'x'}})).toBe('a query template with an empty name already exists')
  })

  it('resolves by ID, exact name before template prefix, longest prefix wins, templates only by name', () => {
    const s = store()
    s.preparedQuerySet(2, normalizeQuery({ID: ID1, Name: 'geo-db', Service: {Service: 'exact'}}))
    s.preparedQuerySet(3, normalizeQuery({ID: ID2, Name: 'geo-', Template: {Type: 'name_prefix_match'}, Service: {Service: 'short-${name.suffix}'}}))
    s.preparedQuerySet(4, normalizeQuery({ID: ID3, Name: 'geo-d', Template: {Type: 'name_prefix_match'}, Service: {Service: 'long-${name.suffix}'}}))
    const svc = (name: string) => s.preparedQueryResolve(name, src).value?.Service.Service
    expect(svc(ID1)).toBe('exact')
    expect(svc('GEO-DB')).toBe('exact')
    expect(svc('geo-dx')).toBe('long-x')
    expect(svc('geo-web')).toBe('short-web')
    expect(svc('other')).toBeUndefined()
    expect(() => s.preparedQueryResolve(ID2, src)).toThrow('prepared query templates can only be resolved up by name, not by ID')
  })

  it('a query bound to a session is deleted when the session is destroyed or invalidated', () => {
    const s = store()
    s.sessionCreate(2, {ID: 's1', Node: 'n1', NodeChecks: ['serfHealth']})
    s.sessionCreate(3, {ID: 's2', Node: 'n1', NodeChecks: ['serfHealth']})
    s.preparedQuerySet(4, normalizeQuery({ID: ID1, Session: 's1', Service: {Service: 'web'}}))
    s.preparedQuerySet(5, normalizeQuery({ID: ID2, Session: 's2', Service: {Service: 'web'}}))
    s.sessionDestroy(6, 's1', 0)
    expect(s.preparedQueryGet(ID1).value).toBeUndefined()
    expect(s.maxIndex('prepared-queries')).toBe(6)
    // Invalidation through the node's serfHealth going critical takes s2's query too.
    s.updateCheckStatus(7, 'n1', 'serfHealth', 'critical', '', 0)
    expect(s.preparedQueryList().value).toEqual([])
  })

  it('survives snapshot and restore (templates recompiled), and FSM apply through Raft commands', () => {
    const fsm = new Fsm()
    fsm.apply(1, 1, encodeCommand({type: 'register', req: {Node: 'n1', Address: '10.0.0.1'}}))
    fsm.apply(2, 1, encodeCommand({type: 'prepared-query', op: 'create', query: normalizeQuery({ID: ID1, Name: 'p-', Template: {Type: 'name_prefix_match'}, Service: {Service: '${name.suffix}'}})}))
    const bad = fsm.apply(3, 1, encodeCommand({type: 'prepared-query', op: 'create', query: normalizeQuery({ID: ID2, Name: 'p-', Service: {Service: 'x'}})}))
    expect(bad).toBeInstanceOf(StateError)
    const r = restore(dump(fsm.state))
    expect(dump(r)).toEqual(dump(fsm.state))
    expect(r.preparedQueryResolve('p-web', src).value?.Service.Service).toBe('web')
    fsm.apply(4, 1, encodeCommand({type: 'prepared-query', op: 'delete', query: {ID: ID1}}))
    expect(fsm.state.preparedQueryList().value).toEqual([])
  })
})
