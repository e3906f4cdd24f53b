import {describe, expect, it} from 'vitest'
import {StateError, StateStore} from '../../../src/store/state/index.js'
import {addNode, bytes, storeWithSession, text} from './helpers.js'

describe('kv set/get', () => {
  it('sets CreateIndex once and ModifyIndex on each real change', () => {
    const s = new StateStore()
    s.kvSet(3, {Key: 'a', Value: bytes('1'), Flags: 7})
    let e = s.kvGet('a').entry!
    expect([e.CreateIndex, e.ModifyIndex, e.Flags, text(e.Value)]).toEqual([3, 3, 7, '1'])
    s.kvSet(5, {Key: 'a', Value: bytes('2'), Flags: 7})
    e = s.kvGet('a').entry!
    expect([e.CreateIndex, e.ModifyIndex, text(e.Value)]).toEqual([3, 5, '2'])
    expect(s.maxIndex('kvs')).toBe(5)
  })

  it('does not rewrite an unchanged entry', () => {
    const s = new StateStore()
    s.kvSet(3, {Key: 'a', Value: bytes('1')})
    s.kvSet(9, {Key: 'a', Value: bytes('1')})
    expect(s.kvGet('a').entry!.ModifyIndex).toBe(3)
    expect(s.maxIndex('kvs')).toBe(3)
  })

  it('answers the kvs/tombstones table max as index, also for missing keys', () => {
    const s = new StateStore()
    s.kvSet(3, {Key: 'a'})
    s.kvSet(4, {Key: 'b'})
    s.kvDelete(6, 'b')
    expect(s.kvGet('a').index).toBe(6)
    expect(s.kvGet('nope')).toEqual({index: 6, entry: undefined})
  })

  it('stores a copy of the value, byte-exact, and freezes records', () => {
    const s = new StateStore()
    const v = new Uint8Array([0, 255, 1, 128])
    s.kvSet(1, {Key: 'bin', Value: v})
    v[0] = 9
    const e = s.kvGet('bin').entry!
    expect([...e.Value]).toEqual([0, 255, 1, 128])
    expect(Object.isFrozen(e)).toBe(true)
    expect(() => {
      ;(e as {Flags: number}).Flags = 3
    }).toThrow(TypeError)
  })

  it('a plain set keeps the lock holder (Consul kvsSetTxn)', () => {
    const s = storeWithSession()
    expect(s.kvLock(3, {Key: 'k', Value: bytes('x')}, 's1', 0)).toBe(true)
    s.kvSet(4, {Key: 'k', Value: bytes('y')})
    expect(s.kvGet('k').entry!.Session).toBe('s1')
  })
})

describe('kv CAS', () => {
  it('index 0 creates only', () => {
    const s = new StateStore()
    expect(s.kvSetCAS(2, {Key: 'a', Value: bytes('1')}, 0)).toBe(true)
    expect(s.kvSetCAS(3, {Key: 'a', Value: bytes('2')}, 0)).toBe(false)
    expect(text(s.kvGet('a').entry!.Value)).toBe('1')
  })

  it('requires a matching ModifyIndex on an existing key', () => {
    const s = new StateStore()
    s.kvSet(2, {Key: 'a', Value: bytes('1')})
    expect(s.kvSetCAS(3, {Key: 'a', Value: bytes('2')}, 1)).toBe(false)
    expect(s.kvSetCAS(4, {Key: 'missing'}, 2)).toBe(false)
    expect(s.kvSetCAS(5, {Key: 'a', Value: bytes('3')}, 2)).toBe(true)
    expect(s.kvGet('a').entry!.ModifyIndex).toBe(5)
  })

  it('delete-cas: stale index fails, match deletes, a missing key counts as deleted', () => {
    const s = new StateStore()
    s.kvSet(2, {Key: 'a'})
    expect(s.kvDeleteCAS(3, 1, 'a')).toBe(false)
    expect(s.kvGet('a').entry).toBeDefined()
    expect(s.kvDeleteCAS(4, 2, 'a')).toBe(true)
    expect(s.kvGet('a').entry).toBeUndefined()
    expect(s.kvDeleteCAS(5, 99, 'never')).toBe(true)
  })
})

describe('tombstones keep indexes monotonic', () => {
  it('a delete under a prefix raises the list index', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'a/1'})
    s.kvSet(2, {Key: 'a/2'})
    s.kvSet(3, {Key: 'b/1'})
    expect(s.kvList('a/').index).toBe(2)
    s.kvDelete(4, 'a/2')
    const l = s.kvList('a/')
    expect(l.entries.map((e) => e.Key)).toEqual(['a/1'])
    expect(l.index).toBe(4)
    expect(s.maxIndex('tombstones')).toBe(4)
    // Unrelated prefixes keep their own index.
    expect(s.kvList('b/').index).toBe(3)
  })

  it('deleting a missing key leaves no tombstone and moves no index', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'a'})
    s.kvDelete(2, 'zzz')
    expect(s.maxIndex('kvs', 'tombstones')).toBe(1)
  })

  it('delete-tree leaves one tombstone at the prefix', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'x/1'})
    s.kvSet(2, {Key: 'x/2/3'})
    s.kvSet(3, {Key: 'y'})
    s.kvDeleteTree(5, 'x/')
    expect(s.kvList('x/')).toEqual({index: 5, entries: []})
    expect(s.kvList('x/2/').index).toBe(5) // falls back to the table index: no entry or tombstone inside
    expect(s.tables.tombstones.all()).toEqual([{Key: 'x/', Index: 5}])
    expect(s.kvGet('y').entry).toBeDefined()
  })

  it('reaping removes tombstones up to an index without touching the index table', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'a/1'})
    s.kvSet(2, {Key: 'a/2'})
    s.kvDelete(3, 'a/1')
    s.kvDelete(4, 'a/2')
    s.kvSet(5, {Key: 'a/3'})
    s.kvDelete(6, 'a/3')
    s.reapTombstones(7, 4)
    expect(s.tables.tombstones.all()).toEqual([{Key: 'a/3', Index: 6}])
    expect(s.maxIndex('tombstones')).toBe(6)
    expect(s.kvList('a/').index).toBe(6)
  })

  it('the empty prefix lists everything at the table index', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'a'})
    s.kvSet(2, {Key: 'b'})
    s.kvDelete(3, 'b')
    expect(s.kvList('')).toMatchObject({index: 3})
    expect(s.kvList('').entries.map((e) => e.Key)).toEqual(['a'])
  })
})

describe('kv list order and keys folding', () => {
  it('orders keys by code point (UTF-8 byte order), like Consul', () => {
    const s = new StateStore()
    const astral = 'k\u{1F600}'
    const privateUse = 'k\uE000'
    s.kvSet(1, {Key: astral})
    s.kvSet(2, {Key: privateUse})
    s.kvSet(3, {Key: 'kz'})
    expect(s.kvList('k').entries.map((e) => e.Key)).toEqual(['kz', privateUse, astral])
  })

  it('folds keys at the first separator after the prefix', () => {
    const s = new StateStore()
    let i = 1
    for (const k of ['a/b/c', 'a/b/d', 'a/e', 'a/f/', 'a/f/g', 'b', 'c/x']) s.kvSet(i++, {Key: k})
    expect(s.kvKeys('a/', '/').keys).toEqual(['a/b/', 'a/e', 'a/f/'])
    expect(s.kvKeys('', '/').keys).toEqual(['a/', 'b', 'c/'])
    expect(s.kvKeys('a/b', '').keys).toEqual(['a/b/c', 'a/b/d'])
    expect(s.kvKeys('a/', '/').index).toBe(s.kvList('a/').index)
  })

  it('supports multi-character separators', () => {
    const s = new StateStore()
    s.kvSet(1, {Key: 'p::a::b'})
    s.kvSet(2, {Key: 'p::c'})
    expect(s.kvKeys('p::', '::').keys).toEqual(['p::a::', 'p::c'])
  })
})

describe('kv locks', () => {
  it('requires an existing session', () => {
    const s = new StateStore()
    addNode(s, 1, 'n1')
    expect(() => s.kvLock(2, {Key: 'k'}, '', 0)).toThrow('missing session')
    expect(() => s.kvLock(2, {Key: 'k'}, 'nope', 0)).toThrow(StateError)
    expect(() => s.kvLock(2, {Key: 'k'}, 'nope', 0)).toThrow('invalid session "nope"')
    expect(s.kvGet('k').entry).toBeUndefined()
  })

  it('bumps LockIndex only when a new holder acquires', () => {
    const s = storeWithSession()
    s.sessionCreate(3, {ID: 's2', Node: 'n1'})
    expect(s.kvLock(4, {Key: 'k', Value: bytes('a')}, 's1', 0)).toBe(true)
    expect(s.kvGet('k').entry).toMatchObject({LockIndex: 1, Session: 's1', CreateIndex: 4, ModifyIndex: 4})
    expect(s.kvLock(5, {Key: 'k', Value: bytes('b')}, 's1', 0)).toBe(true)
    expect(s.kvGet('k').entry).toMatchObject({LockIndex: 1, ModifyIndex: 5})
    expect(s.kvLock(6, {Key: 'k'}, 's2', 0)).toBe(false)
    expect(s.kvUnlock(7, {Key: 'k'}, 's2')).toBe(false)
    expect(s.kvUnlock(8, {Key: 'k', Value: bytes('c')}, 's1')).toBe(true)
    const released = s.kvGet('k').entry!
    expect(released.Session).toBeUndefined()
    expect([released.LockIndex, released.ModifyIndex, text(released.Value)]).toEqual([1, 8, 'c'])
    expect(s.kvLock(9, {Key: 'k'}, 's2', 0)).toBe(true)
    expect(s.kvGet('k').entry).toMatchObject({LockIndex: 2, Session: 's2'})
  })

  it('unlock of a missing key is false', () => {
    const s = storeWithSession()
    expect(s.kvUnlock(3, {Key: 'none'}, 's1')).toBe(false)
    expect(() => s.kvUnlock(3, {Key: 'none'}, '')).toThrow('missing session')
  })

  it('lock-delay blocks acquiring released keys until it expires', () => {
    const s = storeWithSession('release', 15e9)
    s.sessionCreate(3, {ID: 's2', Node: 'n1'})
    expect(s.kvLock(4, {Key: 'k'}, 's1', 1_000)).toBe(true)
    s.sessionDestroy(5, 's1', 1_000)
    expect(s.kvLockDelay('k')).toBe(16_000)
    expect(s.kvLock(6, {Key: 'k'}, 's2', 15_999)).toBe(false)
    expect(s.kvGet('k').entry!.Session).toBeUndefined()
    expect(s.kvLock(7, {Key: 'k'}, 's2', 16_000)).toBe(true)
    expect(s.kvLockDelay('k')).toBe(0)
  })

  it('forgets expired lock-delays on the next invalidation', () => {
    const s = storeWithSession('release', 1e9)
    s.sessionCreate(3, {ID: 's2', Node: 'n1', LockDelay: 1e9})
    s.kvLock(4, {Key: 'old'}, 's1', 0)
    s.kvLock(5, {Key: 'new'}, 's2', 0)
    s.sessionDestroy(6, 's1', 100)
    expect(s.kvLockDelay('old')).toBe(1_100)
    s.sessionDestroy(7, 's2', 5_000)
    expect(s.kvLockDelay('old')).toBe(0)
    expect(s.kvLockDelay('new')).toBe(6_000)
  })

  it('caps lock-delay at 60s and skips it when zero', () => {
    const s = storeWithSession('release', 120e9)
    s.sessionCreate(3, {ID: 's0', Node: 'n1', LockDelay: 0})
    s.kvLock(4, {Key: 'long'}, 's1', 0)
    s.kvLock(5, {Key: 'none'}, 's0', 0)
    s.sessionDestroy(6, 's1', 500)
    s.sessionDestroy(7, 's0', 500)
    expect(s.kvLockDelay('long')).toBe(60_500)
    expect(s.kvLockDelay('none')).toBe(0)
  })
})
