import {describe, expect, it} from 'vitest'
import {StateError, StateStore} from '../../../src/store/state/index.js'
import {addNode, addService, bytes, storeWithSession, text} from './helpers.js'

function errorOf(fn: () => unknown): StateError {
  try {
    fn()
  } catch (err) {
    if (err instanceof StateError) return err
    throw err
  }
  throw new Error('expected a StateError')
}

describe('session create', () => {
  it('requires an ID, a known behavior and a registered node', () => {
    const s = new StateStore()
    expect(errorOf(() => s.sessionCreate(1, {ID: '', Node: 'n1'})).message).toBe('Missing session ID')
    expect(errorOf(() => s.sessionCreate(1, {ID: 'x', Node: 'n1', Behavior: 'explode'})).message).toBe(
      'Invalid session behavior: explode',
    )
    const e = errorOf(() => s.sessionCreate(1, {ID: 'x', Node: 'n1'}))
    expect([e.code, e.message]).toEqual(['missing-node', 'Missing node registration'])
    expect(s.sessionList().value).toEqual([])
  })

  it('validates node and service checks: present and not critical', () => {
    const s = new StateStore()
    s.ensureRegistration(1, {Node: 'n1', Address: '10.0.0.1'})
    expect(errorOf(() => s.sessionCreate(2, {ID: 'x', Node: 'n1', NodeChecks: ['serfHealth']})).message).toBe(
      "Missing check 'serfHealth' registration",
    )
    s.ensureRegistration(3, {Node: 'n1', Address: '10.0.0.1', Check: {CheckID: 'serfHealth', Name: 'serf'}})
    const crit = errorOf(() => s.sessionCreate(4, {ID: 'x', Node: 'n1', NodeChecks: ['serfHealth']}))
    expect([crit.code, crit.message]).toEqual(['check-critical', "Check 'serfHealth' is in critical state"])
    addService(s, 5, 'n1', 'web1', 'web', {checks: [{CheckID: 'web-alive', Name: 'alive', ServiceID: 'web1', Status: 'passing'}]})
    s.updateCheckStatus(6, 'n1', 'serfHealth', 'passing', '')
    expect(errorOf(() => s.sessionCreate(7, {ID: 'x', Node: 'n1', ServiceChecks: [{ID: 'nope'}]})).message).toBe(
      "Missing check 'nope' registration",
    )
    const sess = s.sessionCreate(8, {ID: 'x', Node: 'n1', NodeChecks: ['serfHealth'], ServiceChecks: [{ID: 'web-alive'}]})
    expect(sess).toMatchObject({ID: 'x', Behavior: 'release', CreateIndex: 8, ModifyIndex: 8, LockDelay: 0, TTL: ''})
  })

  it('reads: get, list in ID order, per node; index is the sessions table', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addNode(s, 2, 'n2')
    s.sessionCreate(3, {ID: 'b', Node: 'n1'})
    s.sessionCreate(4, {ID: 'a', Node: 'n2'})
    s.sessionCreate(5, {ID: 'c', Node: 'N1'})
    expect(s.sessionList().value.map((x) => x.ID)).toEqual(['a', 'b', 'c'])
    expect(s.sessionsForNode('n1').value.map((x) => x.ID)).toEqual(['b', 'c'])
    expect(s.sessionGet('a')).toMatchObject({index: 5, value: {Node: 'n2'}})
    expect(s.sessionGet('zz')).toEqual({index: 5, value: undefined})
  })
})

describe('session invalidation', () => {
  it('release keeps values and clears the holder', () => {
    const s = storeWithSession('release')
    s.kvLock(3, {Key: 'a', Value: bytes('va')}, 's1', 0)
    s.kvLock(4, {Key: 'b', Value: bytes('vb')}, 's1', 0)
    s.kvSet(5, {Key: 'free'})
    s.sessionDestroy(9, 's1', 0)
    for (const k of ['a', 'b']) {
      const e = s.kvGet(k).entry!
      expect([e.Session, e.ModifyIndex, e.LockIndex, text(e.Value)]).toEqual([undefined, 9, 1, 'v' + k])
    }
    expect(s.kvGet('free').entry!.ModifyIndex).toBe(5)
    expect(s.sessionGet('s1').value).toBeUndefined()
    expect(s.maxIndex('sessions')).toBe(9)
  })

  it('delete removes held keys, leaving tombstones', () => {
    const s = storeWithSession('delete')
    s.kvLock(3, {Key: 'locks/a'}, 's1', 0)
    s.kvSet(4, {Key: 'locks/b'})
    s.sessionDestroy(9, 's1', 0)
    expect(s.kvList('locks/').entries.map((e) => e.Key)).toEqual(['locks/b'])
    expect(s.kvList('locks/').index).toBe(9)
    expect(s.kvLockDelay('locks/a')).toBe(15_000)
  })

  it('destroying an unknown session is a no-op', () => {
    const s = storeWithSession()
    const before = s.maxIndex('sessions')
    s.sessionDestroy(10, 'ghost', 0)
    expect(s.maxIndex('sessions')).toBe(before)
  })

  it('deregistering the node destroys its sessions in the same write', () => {
    const s = storeWithSession()
    s.kvLock(3, {Key: 'k'}, 's1', 0)
    s.deleteNode(7, 'n1', 2_000)
    expect(s.sessionList().value).toEqual([])
    expect(s.kvGet('k').entry).toMatchObject({ModifyIndex: 7})
    expect(s.kvGet('k').entry!.Session).toBeUndefined()
    expect(s.kvLockDelay('k')).toBe(17_000)
  })

  it('a check going critical destroys the sessions that depend on it', () => {
    const s = storeWithSession()
    s.kvLock(3, {Key: 'k'}, 's1', 0)
    expect(s.updateCheckStatus(4, 'n1', 'serfHealth', 'warning', 'meh')).toBe(true)
    expect(s.sessionGet('s1').value).toBeDefined()
    s.updateCheckStatus(5, 'n1', 'serfHealth', 'critical', 'down')
    expect(s.sessionGet('s1').value).toBeUndefined()
    expect(s.kvGet('k').entry!.Session).toBeUndefined()
    expect(s.nodeCheck('n1', 'serfHealth').value).toMatchObject({Status: 'critical', Output: 'down', ModifyIndex: 5})
  })

  it('a critical check registration also invalidates, and so does deleting the check', () => {
    const s = storeWithSession()
    s.ensureRegistration(3, {Node: 'n1', Address: '10.0.0.2', Datacenter: 'dc1', SkipNodeUpdate: true, Check: {CheckID: 'serfHealth', Status: 'critical'}})
    expect(s.sessionList().value).toEqual([])

    const t = storeWithSession()
    t.deleteCheck(3, 'n1', 'serfHealth')
    expect(t.sessionList().value).toEqual([])
  })

  it('sessions not bound to the changed check survive', () => {
    const s = storeWithSession()
    s.ensureRegistration(3, {Node: 'n1', SkipNodeUpdate: true, Check: {CheckID: 'other', Status: 'passing'}})
    s.sessionCreate(4, {ID: 's2', Node: 'n1', NodeChecks: ['other']})
    s.updateCheckStatus(5, 'n1', 'other', 'critical', '')
    expect(s.sessionList().value.map((x) => x.ID)).toEqual(['s1'])
  })
})
