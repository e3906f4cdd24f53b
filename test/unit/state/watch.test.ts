import {describe, expect, it} from 'vitest'
import {StateStore, WatchHub, WatchSet} from '../../../src/store/state/index.js'
import {addNode, addService} from './helpers.js'

/** Park a waiter and report how often it fired. */
function park(store: StateStore, read: (ws: WatchSet) => void): {fired: () => number; cancel: () => void} {
  const ws = new WatchSet()
  read(ws)
  let n = 0
  const cancel = store.hub.wait(ws, () => n++)
  return {fired: () => n, cancel}
}

describe('kv watches', () => {
  it('wakes exact-key watchers only for that key', () => {
    const s = new StateStore()
    const a = park(s, (ws) => s.kvGet('a', ws))
    const b = park(s, (ws) => s.kvGet('b', ws))
    s.kvSet(1, {Key: 'a'})
    expect([a.fired(), b.fired()]).toEqual([1, 0])
    s.kvSet(2, {Key: 'ab'})
    expect(b.fired()).toBe(0)
  })

  it('wakes watchers of every prefix of the written key, and only those', () => {
    const s = new StateStore()
    const root = park(s, (ws) => s.kvList('', ws))
    const a = park(s, (ws) => s.kvList('a/', ws))
    const ab = park(s, (ws) => s.kvKeys('a/b/', '/', ws))
    const other = park(s, (ws) => s.kvList('z/', ws))
    s.kvSet(1, {Key: 'a/x'})
    expect([root.fired(), a.fired(), ab.fired(), other.fired()]).toEqual([1, 1, 0, 0])
    const a2 = park(s, (ws) => s.kvList('a/', ws))
    s.kvSet(2, {Key: 'a/b/c'})
    expect([ab.fired(), a2.fired(), other.fired()]).toEqual([1, 1, 0])
  })

  it('fires once per waiter and not at all for no-op writes', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'k'})
    const w = park(s, (ws) => s.kvGet('k', ws))
    s.kvSet(2, {Key: 'k'}) // unchanged: nothing written
    s.kvDelete(3, 'missing')
    expect(w.fired()).toBe(0)
    s.kvDelete(4, 'k')
    s.kvSet(5, {Key: 'k'})
    expect(w.fired()).toBe(1)
  })

  it('delete-tree and session invalidation wake the affected keys', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    s.sessionCreate(2, {ID: 's', Node: 'n1'})
    s.kvLock(3, {Key: 'lock'}, 's', 0)
    s.kvSet(4, {Key: 't/1'})
    const lock = park(s, (ws) => s.kvGet('lock', ws))
    const tree = park(s, (ws) => s.kvGet('t/1', ws))
    s.kvDeleteTree(5, 't/')
    s.sessionDestroy(6, 's', 0)
    expect([lock.fired(), tree.fired()]).toEqual([1, 1])
  })

  it('cancel unparks the waiter', () => {
    const s = new StateStore()
    const w = park(s, (ws) => s.kvGet('k', ws))
    w.cancel()
    s.kvSet(1, {Key: 'k'})
    expect(w.fired()).toBe(0)
    expect(s.hub.waiterCount).toBe(0)
  })

  it('10,000 waiters on one key share one map entry and wake on one write', () => {
    const s = new StateStore()
    const ws = new WatchSet()
    s.kvGet('hot', ws)
    let woken = 0
    for (let i = 0; i < 10_000; i++) s.hub.wait(ws, () => woken++)
    expect(s.hub.keyCount).toBe(1)
    expect(s.hub.waiterCount).toBe(10_000)
    s.kvSet(1, {Key: 'cold'})
    expect(woken).toBe(0)
    s.kvSet(2, {Key: 'hot'})
    expect(woken).toBe(10_000)
    expect(s.hub.keyCount).toBe(0)
  })
})

describe('notification timing', () => {
  it('notifies after the whole txn is applied', () => {
    const s = new StateStore()
    const ws = new WatchSet()
    s.kvGet('a', ws)
    let seenB: string | undefined
    s.hub.wait(ws, () => {
      seenB = s.kvGet('b').entry?.Key
    })
    const r = s.txn(1, [{KV: {Verb: 'set', Key: 'a'}}, {KV: {Verb: 'set', Key: 'b'}}], 0)
    expect(r.errors).toEqual([])
    expect(seenB).toBe('b')
  })

  it('a rolled-back txn wakes nobody', () => {
    const s = new StateStore()
    const w = park(s, (ws) => s.kvGet('a', ws))
    const r = s.txn(1, [{KV: {Verb: 'set', Key: 'a'}}, {KV: {Verb: 'cas', Key: 'b', Index: 7}}], 0)
    expect(r.errors).toHaveLength(1)
    expect(w.fired()).toBe(0)
  })
})

describe('catalog watches', () => {
  it('a service watcher wakes for its instances and checks, not for other services', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addNode(s, 2, 'n2')
    addService(s, 3, 'n1', 'web1', 'web', {checks: [{CheckID: 'w', ServiceID: 'web1', Status: 'passing'}]})
    addService(s, 4, 'n2', 'db1', 'db', {checks: [{CheckID: 'd', ServiceID: 'db1', Status: 'passing'}]})
    const web = park(s, (ws) => s.checkServiceNodes('web', undefined, ws))
    s.updateCheckStatus(5, 'n2', 'd', 'critical', '')
    expect(web.fired()).toBe(0)
    s.updateCheckStatus(6, 'n1', 'w', 'critical', '')
    expect(web.fired()).toBe(1)
    const web2 = park(s, (ws) => s.serviceNodes('web', undefined, ws))
    s.updateCheckStatus(7, 'n1', 'serfHealth', 'critical', '') // node-level check
    expect(web2.fired()).toBe(1)
  })

  it('a watcher on a missing service wakes when it is registered', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    const w = park(s, (ws) => s.checkServiceNodes('later', undefined, ws))
    addService(s, 2, 'n1', 'later', 'later')
    expect(w.fired()).toBe(1)
  })

  it('node, node checks, table and session watches', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    addNode(s, 2, 'n2')
    const node = park(s, (ws) => s.nodeServices('n1', ws))
    const checks = park(s, (ws) => s.nodeChecks('n2', ws))
    const nodes = park(s, (ws) => s.nodes(ws))
    const sessions = park(s, (ws) => s.sessionsForNode('n1', ws))
    addService(s, 3, 'n1', 'a', 'a')
    expect([node.fired(), checks.fired(), nodes.fired(), sessions.fired()]).toEqual([1, 0, 1, 0])
    s.sessionCreate(4, {ID: 'x', Node: 'n1'})
    expect(sessions.fired()).toBe(1)
    s.updateCheckStatus(5, 'n2', 'serfHealth', 'warning', '')
    expect(checks.fired()).toBe(1)
  })
})

describe('abandon', () => {
  it('wakes every waiter and makes later waits fire at once', () => {
    const s = new StateStore()
    const a = park(s, (ws) => s.kvGet('a', ws))
    const b = park(s, (ws) => s.nodes(ws))
    const none = park(s, () => {})
    s.abandon()
    expect([a.fired(), b.fired(), none.fired()]).toEqual([1, 1, 1])
    expect(s.abandoned).toBe(true)
    const late = park(s, (ws) => s.kvGet('a', ws))
    expect(late.fired()).toBe(1)
  })
})

describe('WatchHub', () => {
  it('keeps firing the rest when a callback throws, then rethrows', () => {
    const hub = new WatchHub()
    const ws = new WatchSet()
    ws.add('k')
    let ok = 0
    hub.wait(ws, () => {
      throw new Error('boom')
    })
    hub.wait(ws, () => ok++)
    expect(() => hub.notify(['k'])).toThrow('boom')
    expect(ok).toBe(1)
  })

  it('a waiter on several keys fires once and leaves no entries behind', () => {
    const hub = new WatchHub()
    const ws = new WatchSet()
    ws.add('kv:prefix:a')
    ws.add('table:nodes')
    let n = 0
    hub.wait(ws, () => n++)
    hub.notify(['table:nodes'], ['abc'])
    expect(n).toBe(1)
    expect(hub.keyCount).toBe(0)
  })
})
