import {describe, expect, it} from 'vitest'
import {StateError, StateStore, WatchSet, dump, restore, summarize, summary} from '../../../src/store/state/index.js'
import {addNode, addService, bytes} from './helpers.js'

function populated(): StateStore {
  const s = new StateStore()
  addNode(s, 1, 'n1', {ID: 'id-1', NodeMeta: {rack: 'r1'}, TaggedAddresses: {lan: '10.0.0.2'}})
  addNode(s, 2, 'n2')
  addService(s, 3, 'n1', 'web1', 'web', {tags: ['a'], checks: [{CheckID: 'http', ServiceID: 'web1', Status: 'passing', Output: 'ok'}]})
  addService(s, 4, 'n2', 'web2', 'web')
  s.sessionCreate(5, {ID: 'sess-a', Node: 'n1', LockDelay: 15e9, NodeChecks: ['serfHealth'], TTL: '30s'})
  s.sessionCreate(6, {ID: 'sess-b', Node: 'n2', Behavior: 'delete'})
  s.kvSet(7, {Key: 'bin', Value: new Uint8Array([0, 1, 2, 250, 255]), Flags: 42})
  s.kvSet(8, {Key: 'text', Value: bytes('héllo \u{1F600}')})
  s.kvLock(9, {Key: 'lock/a', Value: bytes('x')}, 'sess-a', 0)
  s.kvLock(10, {Key: 'lock/b'}, 'sess-b', 0)
  s.kvSet(11, {Key: 'gone'})
  s.kvDelete(12, 'gone')
  s.sessionCreate(13, {ID: 'sess-c', Node: 'n2', LockDelay: 5e9})
  s.kvLock(14, {Key: 'lock/c'}, 'sess-c', 0)
  s.sessionDestroy(15, 'sess-c', 1000)
  return s
}

describe('snapshot', () => {
  it('dump → restore → dump is byte-identical', () => {
    const s = populated()
    const a = dump(s)
    const r = restore(a)
    expect(dump(r)).toEqual(a)
  })

  it('restores every table, values byte-exact, indexes included', () => {
    const s = populated()
    const r = restore(dump(s))
    expect([...r.kvGet('bin').entry!.Value]).toEqual([0, 1, 2, 250, 255])
    expect(r.kvGet('bin').entry!.Flags).toBe(42)
    expect(r.kvGet('text').entry).toEqual(s.kvGet('text').entry)
    expect(r.kvList('')).toEqual(s.kvList(''))
    expect(r.tables.tombstones.all()).toEqual([{Key: 'gone', Index: 12}])
    expect(r.kvLockDelay('lock/c')).toBe(6000)
    expect(r.checkServiceNodes('web')).toEqual(s.checkServiceNodes('web'))
    expect(r.nodes()).toEqual(s.nodes())
    expect(r.sessionList()).toEqual(s.sessionList())
    expect(r.services()).toEqual(s.services())
    for (const t of ['kvs', 'tombstones', 'sessions', 'nodes', 'services', 'checks', 'service.web', 'node.n1'] as const) {
      expect(r.maxIndex(t)).toBe(s.maxIndex(t))
    }
  })

  it('a restored store keeps working: secondary indexes are rebuilt', () => {
    const r = restore(dump(populated()))
    r.sessionDestroy(20, 'sess-b', 0)
    expect(r.kvGet('lock/b').entry).toBeUndefined()
    r.updateCheckStatus(21, 'n1', 'serfHealth', 'critical', '')
    expect(r.sessionGet('sess-a').value).toBeUndefined()
    expect(r.kvGet('lock/a').entry!.Session).toBeUndefined()
    const ws = new WatchSet()
    r.kvGet('bin', ws)
    let fired = 0
    r.hub.wait(ws, () => fired++)
    r.kvSet(22, {Key: 'bin'})
    expect(fired).toBe(1)
  })

  it('summarizes record counts by type', () => {
    const s = populated()
    const sum = summary(s)
    const counts = Object.fromEntries(sum.types.map((t) => [t.type, t.count]))
    // 2 nodes + 2 services + 3 checks (2 serfHealth + http)
    expect(counts).toEqual({Register: 7, KVS: 5, Tombstone: 1, Session: 2, LockDelay: 1, CoordinateBatchUpdate: 0, PreparedQuery: 0, Autopilot: 0, Index: expect.any(Number)})
    expect(sum.index).toBe(15)
    expect(sum.types.every((t) => t.count === 0 || t.size > 0)).toBe(true)
    expect(summarize(dump(s))).toEqual(sum)
  })

  it('rejects foreign or corrupt input', () => {
    expect(() => restore(bytes('not a snapshot'))).toThrow(StateError)
    const d = dump(new StateStore())
    d[6] = 99
    expect(() => restore(d)).toThrow('unsupported version 99')
    const cut = dump(populated()).subarray(0, 40)
    expect(() => restore(cut)).toThrow('corrupt body')
  })
})
