import {describe, expect, it} from 'vitest'
import {RaftStorageError, type Entry, type HardState, type Snapshot} from '../../src/agent/raft/core/types.js'
import {seededRandom} from '../../src/agent/env/prng.js'
import {RaftStoreError} from '../../src/store/raft/errors.js'
import {entryBytes} from '../../src/store/raft/plan.js'
import type {RaftStore} from '../../src/store/raft/types.js'

/** A durable location: every open() after the previous store was closed sees what was made durable. */
export interface RaftStoreLocation {
  open(): RaftStore
  destroy(): void
}

const bytes = (s: string) => new TextEncoder().encode(s)
const ent = (index: number, term: number, data = `e${index}t${term}`): Entry => ({index, term, type: 0, data: bytes(data)})
const range = (lo: number, hi: number, term: number) => Array.from({length: hi - lo + 1}, (_, k) => ent(lo + k, term))
const snap = (index: number, term: number, voters = ['a', 'b'], data = `snap@${index}`): Snapshot => ({
  meta: {index, term, conf: {voters, learners: []}},
  data: bytes(data),
})

/** Normalises entries for comparison (SQLite may return Buffer-backed views). */
const plain = (es: Entry[]) => es.map((e) => ({index: e.index, term: e.term, type: e.type, data: Array.from(e.data)}))

function expectStorageError(fn: () => unknown, kind: RaftStorageError['kind']): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RaftStorageError)
    expect((err as RaftStorageError).kind).toBe(kind)
    return
  }
  throw new Error(`expected RaftStorageError(${kind})`)
}

function expectStoreError(fn: () => unknown, kind: RaftStoreError['kind']): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RaftStoreError)
    expect((err as RaftStoreError).kind).toBe(kind)
    return
  }
  throw new Error(`expected RaftStoreError(${kind})`)
}

/** Yields the store, then (lazily, after the caller checked it) a reopened one. */
function* beforeAndAfterReopen(s: RaftStore, open: () => RaftStore): Generator<RaftStore> {
  yield s
  yield open()
}

/** Everything observable through the interface, for before/after comparisons. */
function observe(s: RaftStore) {
  const first = s.firstIndex()
  const last = s.lastIndex()
  const snapshot = s.latestSnapshot()
  return {
    first,
    last,
    boundaryTerm: s.term(first - 1),
    entries: plain(s.entries(first, last + 1)),
    initial: s.initialState(),
    snapshot: snapshot && {meta: snapshot.meta, data: Array.from(snapshot.data)},
  }
}

/**
 * The RaftStore contract. `location()` returns a fresh durable location per test;
 * each test reopens it to prove that what a call made durable survives.
 */
export function raftStoreContract(name: string, location: () => RaftStoreLocation): void {
  describe(`RaftStore contract: ${name}`, () => {
    const withStore = (fn: (loc: RaftStoreLocation, open: () => RaftStore) => void) => () => {
      const loc = location()
      let current: RaftStore | undefined
      const open = () => {
        current?.close()
        current = loc.open()
        return current
      }
      try {
        fn(loc, open)
      } finally {
        current?.close()
        loc.destroy()
      }
    }

    it('starts empty', withStore((_loc, open) => {
      const s = open()
      expect(s.firstIndex()).toBe(1)
      expect(s.lastIndex()).toBe(0)
      expect(s.term(0)).toBe(0)
      expect(s.entries(1, 1)).toEqual([])
      expect(s.initialState()).toEqual({hardState: {term: 0, vote: '', commit: 0}, confState: {voters: [], learners: []}})
      expect(s.latestSnapshot()).toBeUndefined()
      expect(s.snapshot().meta.index).toBe(0)
    }))

    it('appends entries and reads them back after reopening', withStore((_loc, open) => {
      let s = open()
      s.persist({entries: range(1, 3, 1)})
      s.persist({entries: range(4, 6, 2), hardState: {term: 2, vote: 'n1', commit: 5}})
      for (const store of beforeAndAfterReopen(s, open)) {
        s = store
        expect(store.lastIndex()).toBe(6)
        expect(store.firstIndex()).toBe(1)
        expect(plain(store.entries(1, 7))).toEqual(plain([...range(1, 3, 1), ...range(4, 6, 2)]))
        expect([0, 1, 2, 3, 4, 5, 6].map((i) => store.term(i))).toEqual([0, 1, 1, 1, 2, 2, 2])
        expect(plain(store.entries(2, 4))).toEqual(plain([ent(2, 1), ent(3, 1)]))
        expect(store.initialState().hardState).toEqual({term: 2, vote: 'n1', commit: 5})
      }
    }))

    it('overwrites the suffix from the first appended index', withStore((_loc, open) => {
      let s = open()
      s.persist({entries: range(1, 5, 1), hardState: {term: 1, vote: '', commit: 2}})
      s.persist({entries: [ent(3, 2, 'new3'), ent(4, 2, 'new4')]})
      for (const store of beforeAndAfterReopen(s, open)) {
        s = store
        expect(store.lastIndex()).toBe(4)
        expect(store.term(3)).toBe(2)
        expect(plain(store.entries(1, 5))).toEqual(plain([ent(1, 1), ent(2, 1), ent(3, 2, 'new3'), ent(4, 2, 'new4')]))
        expectStorageError(() => store.term(5), 'unavailable')
      }
      // Overwriting with a longer suffix, and appending right after the end.
      s.persist({entries: range(4, 8, 3)})
      s.persist({entries: [ent(9, 3)]})
      expect(s.lastIndex()).toBe(9)
      expect(plain(s.entries(3, 10))).toEqual(plain([ent(3, 2, 'new3'), ...range(4, 9, 3)]))
    }))

    it('reports bounds with the core\'s error kinds', withStore((_loc, open) => {
      const s = open()
      s.persist({entries: range(1, 10, 1), hardState: {term: 1, vote: '', commit: 10}})
      expectStorageError(() => s.term(11), 'unavailable')
      expectStorageError(() => s.entries(5, 12), 'unavailable')
      expect(s.entries(11, 11)).toEqual([])
      s.saveSnapshot(snap(6, 1))
      s.compact(4)
      expect(s.firstIndex()).toBe(5)
      expect(s.term(4)).toBe(1)
      expectStorageError(() => s.term(3), 'compacted')
      expectStorageError(() => s.entries(4, 6), 'compacted')
      expect(plain(s.entries(5, 7))).toEqual(plain(range(5, 6, 1)))
      expectStoreError(() => s.entries(7, 6), 'invalid')
    }))

    it('rejects batches that break the log', withStore((_loc, open) => {
      const s = open()
      s.persist({entries: range(1, 4, 2), hardState: {term: 2, vote: '', commit: 2}})
      const before = observe(s)
      expectStoreError(() => s.persist({entries: [ent(6, 2)]}), 'invalid') // gap
      expectStoreError(() => s.persist({entries: [ent(2, 3)]}), 'invalid') // overwrites committed entry 2
      expectStoreError(() => s.persist({entries: [ent(5, 1)]}), 'invalid') // term goes down
      expectStoreError(() => s.persist({entries: [ent(5, 2), ent(7, 2)]}), 'invalid') // not contiguous
      expectStoreError(() => s.persist({entries: [], hardState: {term: 2, vote: '', commit: 5}}), 'invalid') // commit past last
      expect(observe(s)).toEqual(before)
    }))

    it('round-trips the hard state', withStore((_loc, open) => {
      let s = open()
      const hs: HardState = {term: 7, vote: 'node-b', commit: 0}
      s.persist({entries: [], hardState: hs})
      expect(open().initialState().hardState).toEqual(hs)
      s = open()
      s.persist({entries: [ent(1, 7)], hardState: {term: 8, vote: '', commit: 1}})
      s.persist({entries: []}) // no hard state: unchanged
      expect(open().initialState().hardState).toEqual({term: 8, vote: '', commit: 1})
    }))

    it('saves snapshots, compacts keeping the boundary term, and survives reopening', withStore((_loc, open) => {
      let s = open()
      s.persist({entries: [...range(1, 5, 1), ...range(6, 12, 2)], hardState: {term: 2, vote: '', commit: 12}})
      s.saveSnapshot(snap(8, 2, ['a', 'b', 'c'], 'state-at-8'))
      expectStoreError(() => s.compact(9), 'invalid') // not covered by a snapshot
      s.compact(5)
      for (const store of beforeAndAfterReopen(s, open)) {
        s = store
        expect(store.firstIndex()).toBe(6)
        expect(store.lastIndex()).toBe(12)
        expect(store.term(5)).toBe(1)
        expectStorageError(() => store.term(4), 'compacted')
        expect(plain(store.entries(6, 13))).toEqual(plain(range(6, 12, 2)))
        const latest = store.latestSnapshot()!
        expect(latest.meta).toEqual({index: 8, term: 2, conf: {voters: ['a', 'b', 'c'], learners: []}})
        expect(new TextDecoder().decode(latest.data)).toBe('state-at-8')
        expect(store.snapshot().meta.index).toBe(8)
        expect(store.initialState().confState).toEqual({voters: ['a', 'b', 'c'], learners: []})
      }
      expectStoreError(() => s.saveSnapshot(snap(8, 2)), 'invalid') // not newer
      expectStoreError(() => s.saveSnapshot(snap(13, 2)), 'invalid') // past the log
      s.compact(3) // already compacted: no-op
      expect(s.firstIndex()).toBe(6)
      s.saveSnapshot(snap(10, 2, ['a'], 'state-at-10'))
      s.saveSnapshot(snap(12, 2, ['a'], 'state-at-12'))
      s.compact(12)
      s = open()
      expect(s.firstIndex()).toBe(13)
      expect(s.lastIndex()).toBe(12)
      expect(s.term(12)).toBe(2)
      expect(s.entries(13, 13)).toEqual([])
      expect(new TextDecoder().decode(s.latestSnapshot()!.data)).toBe('state-at-12')
      s.persist({entries: [ent(13, 3)], hardState: {term: 3, vote: '', commit: 13}})
      expect(open().lastIndex()).toBe(13)
    }))

    it('installs a snapshot from a batch, replacing the log', withStore((_loc, open) => {
      let s = open()
      s.persist({entries: range(1, 6, 1), hardState: {term: 1, vote: '', commit: 3}})
      s.persist({snapshot: snap(20, 4, ['x', 'y']), entries: [ent(20, 4), ent(21, 4), ent(22, 5)], hardState: {term: 5, vote: 'x', commit: 20}})
      for (const store of beforeAndAfterReopen(s, open)) {
        s = store
        expect(store.firstIndex()).toBe(21)
        expect(store.lastIndex()).toBe(22)
        expect(store.term(20)).toBe(4)
        expect(store.term(22)).toBe(5)
        expectStorageError(() => store.term(19), 'compacted')
        expect(store.initialState()).toEqual({hardState: {term: 5, vote: 'x', commit: 20}, confState: {voters: ['x', 'y'], learners: []}})
        expect(store.latestSnapshot()!.meta.index).toBe(20)
      }
      // A snapshot inside the log (the log is still replaced) and an outdated one.
      s.persist({snapshot: snap(21, 4, ['x']), entries: []})
      expect([s.firstIndex(), s.lastIndex()]).toEqual([22, 21])
      expectStoreError(() => s.persist({snapshot: snap(21, 4), entries: []}), 'invalid')
    }))

    it('accepts the bootstrap snapshot on an empty store, with a zero hard state', withStore((_loc, open) => {
      let s = open()
      // What every initial server installs: index 1, term 1, the voters, empty FSM data.
      s.persist({snapshot: {meta: {index: 1, term: 1, conf: {voters: ['a', 'b', 'c'], learners: []}}, data: new Uint8Array(0)}, entries: []})
      s = open()
      expect([s.firstIndex(), s.lastIndex(), s.term(1)]).toEqual([2, 1, 1])
      expect(s.initialState()).toEqual({hardState: {term: 0, vote: '', commit: 0}, confState: {voters: ['a', 'b', 'c'], learners: []}})
      expect(s.latestSnapshot()!.data.byteLength).toBe(0)
      s.persist({entries: [ent(2, 2)], hardState: {term: 2, vote: 'a', commit: 2}})
      expect(open().term(2)).toBe(2)
    }))

    it('leaves the previous state when a persist fails', withStore((_loc, open) => {
      let s = open()
      s.persist({entries: range(1, 3, 1), hardState: {term: 1, vote: 'a', commit: 1}})
      const before = observe(s)
      const bad = {index: 5, term: 2, type: 0, data: 'not bytes'} as unknown as Entry
      expectStoreError(() => s.persist({entries: [ent(3, 2), ent(4, 2), bad], hardState: {term: 2, vote: 'b', commit: 3}}), 'invalid')
      expect(observe(s)).toEqual(before)
      s.close()
      expectStoreError(() => s.persist({entries: [ent(4, 1)]}), 'closed')
      expectStoreError(() => s.lastIndex(), 'closed')
      s.close() // idempotent
      s = open()
      expect(observe(s)).toEqual(before)
      s.persist({entries: [ent(4, 1)], hardState: {term: 1, vote: 'a', commit: 4}})
      expect(open().lastIndex()).toBe(4)
    }))

    it('limits entries() by maxBytes, returning at least one entry', withStore((_loc, open) => {
      const s = open()
      const big = Array.from({length: 6}, (_, k): Entry => ({index: k + 1, term: 1, type: 0, data: new Uint8Array(100).fill(k)}))
      s.persist({entries: big})
      const one = entryBytes(big[0]!)
      expect(s.entries(1, 7, 1)).toHaveLength(1)
      expect(s.entries(1, 7, one * 2)).toHaveLength(2)
      expect(s.entries(1, 7, one * 2 + one - 1)).toHaveLength(2)
      expect(s.entries(2, 7, one * 3).map((e) => e.index)).toEqual([2, 3, 4])
      expect(s.entries(1, 7, one * 100)).toHaveLength(6)
      expect(s.entries(1, 7, 0)).toHaveLength(1)
      expect(Array.from(s.entries(3, 4)[0]!.data)).toEqual(Array.from(big[2]!.data))
    }))

    it('matches a simple model under a seeded random workload', withStore((_loc, open) => {
      const rnd = seededRandom(42)
      let s = open()
      const model: Entry[] = [] // model[k].index === compact + 1 + k
      let compact = 0
      let compactTerm = 0
      let term = 1
      let commit = 0
      let snapIndex = 0
      for (let step = 0; step < 300; step++) {
        const last = compact + model.length
        const r = rnd.float()
        if (r < 0.6) {
          // Append, sometimes overwriting an uncommitted suffix.
          const from = Math.max(commit + 1, last + 1 - (rnd.float() < 0.3 ? rnd.int(5) : 0))
          if (rnd.float() < 0.2) term++
          const es = Array.from({length: 1 + rnd.int(40)}, (_, k) => ent(from + k, term, `${step}/${k}`))
          s.persist({entries: es, hardState: {term, vote: '', commit}})
          model.length = from - compact - 1
          model.push(...es)
        } else if (r < 0.8) {
          commit = Math.max(commit, last - rnd.int(3))
          s.persist({entries: [], hardState: {term, vote: '', commit}})
        } else if (r < 0.9 && commit > snapIndex) {
          snapIndex = commit
          s.saveSnapshot(snap(snapIndex, snapIndex === compact ? compactTerm : model[snapIndex - compact - 1]!.term))
          const to = Math.max(compact, snapIndex - rnd.int(20))
          if (to > compact) {
            compactTerm = model[to - compact - 1]!.term
            model.splice(0, to - compact)
            compact = to
          }
          s.compact(to)
        } else {
          s = open()
        }
        expect(s.firstIndex()).toBe(compact + 1)
        expect(s.lastIndex()).toBe(compact + model.length)
        expect(s.term(compact)).toBe(compactTerm)
        const lo = compact + 1 + rnd.int(model.length + 1)
        const hi = lo + rnd.int(compact + model.length + 2 - lo)
        expect(plain(s.entries(lo, hi))).toEqual(plain(model.slice(lo - compact - 1, hi - compact - 1)))
      }
      s = open()
      expect(plain(s.entries(compact + 1, compact + model.length + 1))).toEqual(plain(model))
      expect(s.initialState().hardState).toEqual({term, vote: '', commit})
    }))
  })
}
