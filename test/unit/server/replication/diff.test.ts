import {describe, expect, it} from 'vitest'
import {batches, decodeProgress, diffPrefix, encodeProgress, MAX_TXN_OPS, type LocalEntry, type SourceEntry} from '../../../../src/agent/server/replication/diff.js'
import type {TxnKVOp} from '../../../../src/store/state/txn.js'

const b = (s: string) => new TextEncoder().encode(s)
const src = (Key: string, v: string, Flags = 0): SourceEntry => ({Key, Value: b(v), Flags})
const loc = (Key: string, v: string, ModifyIndex: number, Flags = 0): LocalEntry => ({Key, Value: b(v), Flags, ModifyIndex})
const progress: TxnKVOp = {Verb: 'cas', Key: '_dc/replication/config/', Value: b('{}'), Index: 7}

describe('diffPrefix (what to write so the local prefix equals the source)', () => {
  it('sets new and changed keys with a CAS on the local index, deletes keys the source no longer has', () => {
    const ops = diffPrefix('config/', [src('config/a', '1'), src('config/b', 'new'), src('config/c', 'same')], [
      loc('config/b', 'old', 11), loc('config/c', 'same', 12), loc('config/gone', 'x', 13),
    ])
    expect(ops).toEqual([
      {Verb: 'cas', Key: 'config/a', Value: b('1'), Flags: 0, Index: 0},
      {Verb: 'cas', Key: 'config/b', Value: b('new'), Flags: 0, Index: 11},
      {Verb: 'delete-cas', Key: 'config/gone', Index: 13},
    ])
  })

  it('a change of flags alone is a change; equal value and flags are not', () => {
    expect(diffPrefix('p/', [src('p/k', 'v', 42)], [loc('p/k', 'v', 5, 0)])).toEqual([{Verb: 'cas', Key: 'p/k', Value: b('v'), Flags: 42, Index: 5}])
    expect(diffPrefix('p/', [src('p/k', 'v', 42)], [loc('p/k', 'v', 5, 42)])).toEqual([])
  })

  it('never touches keys outside the prefix, on either side', () => {
    const ops = diffPrefix('config/', [src('config/a', '1'), src('other/x', 'from-source')], [loc('configs', 'x', 3), loc('other/y', 'local', 4), loc('config/a', '1', 5)])
    expect(ops).toEqual([])
  })

  it('an empty source deletes every local key of the prefix (tombstones replicate)', () => {
    expect(diffPrefix('c/', [], [loc('c/1', 'a', 2), loc('c/2', 'b', 3), loc('d/1', 'z', 4)])).toEqual([
      {Verb: 'delete-cas', Key: 'c/1', Index: 2},
      {Verb: 'delete-cas', Key: 'c/2', Index: 3},
    ])
  })

  it('equal sides give no ops (a resumed leader writes nothing)', () => {
    const s = [src('c/1', 'a'), src('c/2', 'b')]
    expect(diffPrefix('c/', s, [loc('c/1', 'a', 9), loc('c/2', 'b', 10)])).toEqual([])
  })
})

describe('batches (bounded transactions, progress recorded by the last one)', () => {
  const ops = (n: number, size = 1): TxnKVOp[] => Array.from({length: n}, (_, i) => ({Verb: 'cas', Key: `k/${i}`, Value: new Uint8Array(size), Index: 0}))

  it('no ops: a single transaction holding the progress record', () => {
    expect(batches([], progress)).toEqual([[{KV: progress}]])
  })

  it(`at most ${MAX_TXN_OPS} ops per transaction, the progress record last in the last one, every op once in order`, () => {
    for (const n of [1, 63, 64, 65, 127, 128, 200]) {
      const out = batches(ops(n), progress)
      for (const t of out) expect(t.length).toBeLessThanOrEqual(MAX_TXN_OPS)
      const flat = out.flat().map((o) => ('KV' in o ? o.KV.Key : ''))
      expect(flat).toEqual([...ops(n).map((o) => o.Key), progress.Key])
      expect(out.slice(0, -1).flat().some((o) => 'KV' in o && o.KV === progress)).toBe(false)
    }
  })

  it('splits by value bytes too; a value larger than the budget travels alone', () => {
    const out = batches(ops(5, 100), progress, 64, 250)
    expect(out.map((t) => t.length)).toEqual([2, 2, 2])
    const big = batches([...ops(1, 10), ...ops(1, 1000)], progress, 64, 250)
    expect(big.map((t) => t.length)).toEqual([1, 2])
  })
})

describe('progress record', () => {
  it('round-trips, and a record of another source or prefix (or garbage) counts as none', () => {
    const v = encodeProgress({SourceDatacenter: 'dc1', Prefix: 'config/', ReplicatedIndex: 42, LastSuccess: 1000})
    expect(decodeProgress(v, 'dc1', 'config/')).toEqual({SourceDatacenter: 'dc1', Prefix: 'config/', ReplicatedIndex: 42, LastSuccess: 1000})
    expect(decodeProgress(v, 'dc3', 'config/')).toBeUndefined()
    expect(decodeProgress(v, 'dc1', 'app/')).toBeUndefined()
    expect(decodeProgress(b('not json'), 'dc1', 'config/')).toBeUndefined()
    expect(decodeProgress(undefined, 'dc1', 'config/')).toBeUndefined()
  })
})
