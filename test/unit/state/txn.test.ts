import {describe, expect, it} from 'vitest'
import {StateStore, isReadOnlyTxn, type TxnOp} from '../../../src/store/state/index.js'
import {addNode, bytes, storeWithSession, text} from './helpers.js'

describe('txn commit', () => {
  it('applies every op at one index and returns results in op order', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'existing', Value: bytes('old')})
    const r = s.txn(
      5,
      [
        {KV: {Verb: 'set', Key: 'a', Value: bytes('va'), Flags: 3}},
        {KV: {Verb: 'cas', Key: 'existing', Value: bytes('new'), Index: 1}},
        {KV: {Verb: 'get', Key: 'existing'}},
        {KV: {Verb: 'check-not-exists', Key: 'nope'}},
        {KV: {Verb: 'delete', Key: 'nope'}},
      ],
      0,
    )
    expect(r.errors).toEqual([])
    expect(r.results).toHaveLength(3)
    const [set, cas, get] = r.results.map((x) => ('KV' in x ? x.KV : undefined))
    expect(set).toMatchObject({Key: 'a', Flags: 3, CreateIndex: 5, ModifyIndex: 5})
    expect(set!.Value).toHaveLength(0) // non-get results carry no value
    expect(cas).toMatchObject({Key: 'existing', ModifyIndex: 5})
    expect(text(get!.Value)).toBe('new')
    expect(text(s.kvGet('a').entry!.Value)).toBe('va')
    expect(s.maxIndex('kvs')).toBe(5)
  })

  it('get-tree, get-or-empty, check-index, check-session', () => {
    const s = storeWithSession()
    s.kvSet(3, {Key: 't/1', Value: bytes('1')})
    s.kvSet(4, {Key: 't/2', Value: bytes('2')})
    s.kvLock(5, {Key: 'l'}, 's1', 0)
    const r = s.txn(
      9,
      [
        {KV: {Verb: 'get-tree', Key: 't/'}},
        {KV: {Verb: 'get-or-empty', Key: 'none'}},
        {KV: {Verb: 'check-index', Key: 't/1', Index: 3}},
        {KV: {Verb: 'check-session', Key: 'l', Session: 's1'}},
      ],
      0,
    )
    expect(r.errors).toEqual([])
    expect(r.results.map((x) => ('KV' in x ? [x.KV.Key, text(x.KV.Value)] : []))).toEqual([
      ['t/1', '1'],
      ['t/2', '2'],
      ['none', ''],
      ['t/1', ''],
      ['l', ''],
    ])
  })

  it('lock and unlock verbs (lock-delay is not consulted, as in Consul)', () => {
    const s = storeWithSession()
    s.kvLock(3, {Key: 'k'}, 's1', 0)
    s.sessionDestroy(4, 's1', 1_000_000)
    s.sessionCreate(5, {ID: 's2', Node: 'n1'})
    const r = s.txn(6, [{KV: {Verb: 'lock', Key: 'k', Session: 's2'}}], 0)
    expect(r.errors).toEqual([])
    expect(s.kvGet('k').entry).toMatchObject({Session: 's2', LockIndex: 2})
    expect(s.txn(7, [{KV: {Verb: 'unlock', Key: 'k', Session: 's2'}}], 0).errors).toEqual([])
    expect(s.kvGet('k').entry!.Session).toBeUndefined()
  })

  it('node, service and check verbs', () => {
    const s = new StateStore()
    const r = s.txn(
      3,
      [
        {Node: {Verb: 'set', Node: {Node: 'n1', Address: '10.1.1.1'}}},
        {Service: {Verb: 'set', Node: 'n1', Service: {ID: 'web1', Service: 'web', Port: 8080}}},
        {Check: {Verb: 'set', Check: {Node: 'n1', CheckID: 'c', ServiceID: 'web1', Status: 'passing'}}},
        {Service: {Verb: 'get', Node: 'n1', Service: {ID: 'web1', Service: 'web'}}},
      ],
      0,
    )
    expect(r.errors).toEqual([])
    expect(r.results[0]).toMatchObject({Node: {Node: 'n1', ModifyIndex: 3}})
    expect(r.results[2]).toMatchObject({Check: {CheckID: 'c', ServiceName: 'web'}})
    expect(r.results[3]).toMatchObject({Service: {Port: 8080}})
    expect(s.checkServiceNodes('web').value).toHaveLength(1)

    const bad = s.txn(4, [{Service: {Verb: 'cas', Node: 'n1', Service: {ID: 'web1', Service: 'web', ModifyIndex: 1}}}], 0)
    expect(bad.errors).toEqual([{OpIndex: 0, What: 'failed to set service "web1" on node "n1", index is stale'}])
    expect(s.txn(5, [{Node: {Verb: 'delete', Node: {Node: 'n1'}}}], 0).errors).toEqual([])
    expect(s.nodes().value).toEqual([])
  })
})

describe('txn rollback', () => {
  it('rolls every op back and reports each failure with its OpIndex', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'keep', Value: bytes('v')})
    const ops: TxnOp[] = [
      {KV: {Verb: 'set', Key: 'a'}},
      {KV: {Verb: 'delete', Key: 'keep'}},
      {KV: {Verb: 'cas', Key: 'b', Index: 42}},
      {KV: {Verb: 'get', Key: 'missing'}},
      {KV: {Verb: 'check-index', Key: 'keep', Index: 9}},
      {KV: {Verb: 'lock', Key: 'c', Session: 'nope'}},
    ]
    const r = s.txn(7, ops, 0)
    expect(r.results).toEqual([])
    expect(r.errors).toEqual([
      {OpIndex: 2, What: 'failed to set key "b", index is stale'},
      {OpIndex: 3, What: 'key "missing" doesn\'t exist'},
      {OpIndex: 4, What: 'failed to check index, key "keep" doesn\'t exist'},
      {OpIndex: 5, What: 'invalid session "nope"'},
    ])
    expect(s.kvGet('a').entry).toBeUndefined()
    expect(text(s.kvGet('keep').entry!.Value)).toBe('v')
    expect(s.maxIndex('kvs', 'tombstones')).toBe(1)
    expect(s.tables.tombstones.all()).toEqual([])
  })

  it('uses Consul messages for the check and CAS verbs', () => {
    const s = storeWithSession()
    s.kvSet(3, {Key: 'k'})
    s.kvLock(4, {Key: 'l'}, 's1', 0)
    const what = (op: TxnOp): string => s.txn(10, [op], 0).errors[0]!.What
    expect(what({KV: {Verb: 'check-index', Key: 'k', Index: 1}})).toBe('failed index check for key "k", current modify index 3 != 1')
    expect(what({KV: {Verb: 'check-session', Key: 'l', Session: 'other'}})).toBe(
      'failed session check for key "l", current session "s1" != "other"',
    )
    expect(what({KV: {Verb: 'check-session', Key: 'x'}})).toBe('failed to check session, key "x" doesn\'t exist')
    expect(what({KV: {Verb: 'check-not-exists', Key: 'k'}})).toBe('key "k" exists')
    expect(what({KV: {Verb: 'delete-cas', Key: 'k', Index: 1}})).toBe('failed to delete key "k", index is stale')
    expect(what({KV: {Verb: 'unlock', Key: 'l', Session: 'other'}})).toBe(
      'failed to unlock key "l", lock isn\'t held, or is held by another session',
    )
    s.sessionCreate(5, {ID: 's2', Node: 'n1'})
    expect(what({KV: {Verb: 'lock', Key: 'l', Session: 's2'}})).toBe('failed to lock key "l", lock is already held')
    expect(what({KV: {Verb: 'frob' as 'get', Key: 'l'}})).toBe('unknown KV verb "frob"')
    expect(what({Node: {Verb: 'get', Node: {Node: 'zz'}}})).toBe('node "zz" doesn\'t exist')
    expect(what({Check: {Verb: 'get', Check: {Node: 'n1', CheckID: 'zz'}}})).toBe('check "zz" on node "n1" doesn\'t exist')
  })

  it('undoes catalog side effects, including session invalidation', () => {
    const s = storeWithSession()
    s.kvLock(3, {Key: 'k'}, 's1', 0)
    const r = s.txn(9, [{Node: {Verb: 'delete', Node: {Node: 'n1'}}}, {KV: {Verb: 'get', Key: 'absent'}}], 5)
    expect(r.errors).toHaveLength(1)
    expect(s.node('n1').value).toBeDefined()
    expect(s.sessionGet('s1').value).toBeDefined()
    expect(s.kvGet('k').entry!.Session).toBe('s1')
    expect(s.kvLockDelay('k')).toBe(0)
    // The by-session index survived the undo: destroying still releases the key.
    s.sessionDestroy(10, 's1', 0)
    expect(s.kvGet('k').entry!.Session).toBeUndefined()
  })
})

describe('read-only txn', () => {
  it('runs reads without an index and reports write verbs', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    s.kvSet(2, {Key: 'a', Value: bytes('x')})
    const reads: TxnOp[] = [{KV: {Verb: 'get', Key: 'a'}}, {Node: {Verb: 'get', Node: {Node: 'n1'}}}]
    expect(isReadOnlyTxn(reads)).toBe(true)
    const r = s.txnRead(reads)
    expect(r.errors).toEqual([])
    expect(r.results).toHaveLength(2)
    const writes: TxnOp[] = [{KV: {Verb: 'set', Key: 'b'}}]
    expect(isReadOnlyTxn(writes)).toBe(false)
    expect(s.txnRead(writes).errors[0]).toMatchObject({OpIndex: 0})
    expect(s.kvGet('b').entry).toBeUndefined()
  })
})
