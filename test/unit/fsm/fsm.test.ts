import {describe, expect, it} from 'vitest'
import {Fsm, FsmError, encodeCommand, encodeRaw, IGNORE_UNKNOWN_FLAG, type Command} from '../../../src/store/fsm/index.js'
import {StateError, WatchSet} from '../../../src/store/state/index.js'

const enc = (cmd: Command): Uint8Array => encodeCommand(cmd)
const reg = (node: string): Command => ({
  type: 'register',
  req: {Node: node, Address: '10.0.0.1', Datacenter: 'dc1', Check: {CheckID: 'serfHealth', Status: 'passing'}},
})

describe('Fsm.apply', () => {
  it('dispatches each message type to the store and returns its result', () => {
    const fsm = new Fsm()
    let i = 0
    const apply = (cmd: Command): unknown => fsm.apply(++i, 1, enc(cmd))
    expect(apply(reg('n1'))).toBe(true)
    expect(apply({type: 'session', op: 'create', session: {ID: 'sess', Node: 'n1', NodeChecks: ['serfHealth']}, now: 0})).toBe('sess')
    expect(apply({type: 'kv', op: 'set', entry: {Key: 'a', Value: new Uint8Array([9])}, now: 0})).toBe(true)
    expect(apply({type: 'kv', op: 'cas', entry: {Key: 'a'}, cas: 1, now: 0})).toBe(false)
    expect(apply({type: 'kv', op: 'lock', entry: {Key: 'l'}, session: 'sess', now: 0})).toBe(true)
    expect(apply({type: 'kv', op: 'unlock', entry: {Key: 'l'}, session: 'other', now: 0})).toBe(false)
    expect(apply({type: 'txn', ops: [{KV: {Verb: 'get', Key: 'a'}}], now: 0})).toMatchObject({errors: [], results: [{KV: {Key: 'a'}}]})
    expect(apply({type: 'check-update', node: 'n1', checkId: 'serfHealth', status: 'critical', output: '', now: 0})).toBe(true)
    expect(fsm.state.sessionGet('sess').value).toBeUndefined() // invalidated by the critical check
    expect(apply({type: 'kv', op: 'delete', entry: {Key: 'a'}, now: 0})).toBe(true)
    expect(apply({type: 'tombstone-reap', upTo: i})).toBe(true)
    expect(apply({type: 'deregister', req: {Node: 'n1'}})).toBe(true)
    expect(fsm.state.nodes().value).toEqual([])
    expect(fsm.lastApplied).toEqual({index: i, term: 1})
    expect(fsm.state.kvGet('a').index).toBeGreaterThan(0)
  })

  it('returns user errors as values and leaves the state untouched', () => {
    const fsm = new Fsm()
    const r1 = fsm.apply(1, 1, enc({type: 'kv', op: 'lock', entry: {Key: 'l'}, session: 'nope', now: 0}))
    expect(r1).toBeInstanceOf(StateError)
    expect((r1 as StateError).message).toBe('invalid session "nope"')
    const r2 = fsm.apply(2, 1, enc({type: 'session', op: 'create', session: {ID: 's', Node: 'ghost'}, now: 0}))
    expect((r2 as StateError).message).toBe('Missing node registration')
    const r3 = fsm.apply(3, 1, enc({type: 'txn', ops: [{KV: {Verb: 'set', Key: 'x'}}, {KV: {Verb: 'get', Key: 'y'}}], now: 0}))
    expect(r3).toEqual({results: [], errors: [{OpIndex: 1, What: 'key "y" doesn\'t exist'}]})
    expect(fsm.state.kvList('').entries).toEqual([])
    expect(fsm.lastApplied.index).toBe(3)
  })

  it('stops on an unknown type and skips an ignorable one', () => {
    const fsm = new Fsm()
    let err: unknown
    try {
      fsm.apply(1, 1, encodeRaw(42, {whatever: true}))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(FsmError)
    expect((err as FsmError).code).toBe('unknown-type')
    expect(fsm.lastApplied.index).toBe(0)
    expect(fsm.apply(1, 1, encodeRaw(42 | IGNORE_UNKNOWN_FLAG, {whatever: true}))).toBeUndefined()
    expect(fsm.lastApplied.index).toBe(1)
    // A known type with the flag is still applied.
    expect(fsm.apply(2, 1, encodeCommand({type: 'kv', op: 'set', entry: {Key: 'k'}, now: 0}, {ignorable: true}))).toBe(true)
    expect(fsm.state.kvGet('k').entry).toBeDefined()
  })

  it('refuses an index that does not move forward', () => {
    const fsm = new Fsm()
    fsm.apply(5, 1, enc({type: 'kv', op: 'set', entry: {Key: 'k'}, now: 0}))
    expect(() => fsm.apply(5, 1, enc({type: 'kv', op: 'set', entry: {Key: 'k'}, now: 0}))).toThrow(FsmError)
  })

  it('is deterministic: replicas applying the same log have identical snapshots', () => {
    const log: Command[] = [
      reg('n1'),
      reg('n2'),
      {type: 'session', op: 'create', session: {ID: 's', Node: 'n2', LockDelay: 1e9, NodeChecks: ['serfHealth']}, now: 10},
      {type: 'kv', op: 'lock', entry: {Key: 'lead', Value: new Uint8Array([1])}, session: 's', now: 20},
      {type: 'deregister', req: {Node: 'n2'}, now: 30},
      {type: 'kv', op: 'delete-tree', entry: {Key: 'le'}, now: 40},
    ]
    const a = new Fsm()
    const b = new Fsm()
    log.forEach((cmd, i) => {
      a.apply(i + 1, 1, enc(cmd))
      b.apply(i + 1, 1, enc(cmd))
    })
    expect(a.snapshot()).toEqual(b.snapshot())
  })
})

describe('Fsm snapshot/restore', () => {
  it('builds a new store, swaps it in and abandons the old one', () => {
    const a = new Fsm()
    a.apply(1, 1, enc(reg('n1')))
    a.apply(2, 1, enc({type: 'kv', op: 'set', entry: {Key: 'k', Value: new Uint8Array([1, 2, 3])}, now: 0}))
    const snap = a.snapshot()

    const b = new Fsm()
    b.apply(1, 1, enc({type: 'kv', op: 'set', entry: {Key: 'stale'}, now: 0}))
    const old = b.state
    const ws = new WatchSet()
    old.kvGet('stale', ws)
    let woken = 0
    old.hub.wait(ws, () => woken++)

    b.restore(snap, 2, 1)
    expect(woken).toBe(1)
    expect(old.abandoned).toBe(true)
    expect(b.state).not.toBe(old)
    expect(b.state.kvGet('stale').entry).toBeUndefined()
    expect([...b.state.kvGet('k').entry!.Value]).toEqual([1, 2, 3])
    expect(b.lastApplied).toEqual({index: 2, term: 1})
    expect(b.snapshot()).toEqual(snap)
    b.apply(3, 2, enc({type: 'kv', op: 'set', entry: {Key: 'after'}, now: 0}))
    expect(b.state.kvGet('after').entry!.CreateIndex).toBe(3)
  })

  it('an empty snapshot (Raft bootstrap) restores the empty state and abandons the old store', () => {
    const fsm = new Fsm()
    fsm.apply(1, 1, enc({type: 'kv', op: 'set', entry: {Key: 'k'}, now: 0}))
    const before = fsm.state
    fsm.restore(new Uint8Array(0), 1, 1)
    expect(fsm.state).not.toBe(before)
    expect(before.abandoned).toBe(true)
    expect(fsm.state.kvGet('k').entry).toBeUndefined()
  })

  it('a bad snapshot is an FsmError and keeps the current store', () => {
    const fsm = new Fsm()
    const before = fsm.state
    expect(() => fsm.restore(new Uint8Array([1, 2, 3]), 5, 1)).toThrow(FsmError)
    expect(fsm.state).toBe(before)
    expect(before.abandoned).toBe(false)
  })
})

describe('CoordinateBatchUpdate', () => {
  it('is Consul type 6, always written ignorable, and applies to the store', () => {
    const cmd: Command = {type: 'coordinate-batch-update', updates: [{Node: 'n1', Segment: '', Coord: {Vec: [0.001, 0, 0, 0, 0, 0, 0, 0], Error: 0.4, Adjustment: 0, Height: 1e-5}}]}
    const data = enc(cmd)
    expect(data[0]).toBe(6 | IGNORE_UNKNOWN_FLAG)
    const fsm = new Fsm()
    fsm.apply(1, 1, enc(reg('n1')))
    expect(fsm.apply(2, 1, data)).toBe(true)
    expect(fsm.state.coordinates()).toEqual({index: 2, value: [cmd.updates[0]]})
  })

  it('answers a malformed batch with an error value, not a stop', () => {
    const fsm = new Fsm()
    const r = fsm.apply(1, 1, encodeRaw(6, {type: 'coordinate-batch-update', updates: 'nope'}))
    expect(r).toBeInstanceOf(StateError)
    expect(fsm.lastApplied.index).toBe(1)
  })
})
