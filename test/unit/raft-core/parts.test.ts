import {describe, expect, it} from 'vitest'
import {applyToConfState, decodeConfChange, encodeConfChange, EntryType, MemoryStorage, RaftError, RaftStorageError, type Entry} from '../../../src/agent/raft/core/index.js'
import {RaftLog} from '../../../src/agent/raft/core/log.js'
import {Progress} from '../../../src/agent/raft/core/progress.js'
import {committedIndex, voteResult} from '../../../src/agent/raft/core/quorum.js'

const ent = (index: number, term: number, data = ''): Entry => ({index, term, type: EntryType.Normal, data: new TextEncoder().encode(data)})
const ents = (from: number, terms: number[]) => terms.map((t, i) => ent(from + i, t))

describe('MemoryStorage', () => {
  it('appends, overwrites a suffix, and reports compacted/unavailable ranges', () => {
    const s = new MemoryStorage()
    s.append(ents(1, [1, 1, 2]))
    expect([s.firstIndex(), s.lastIndex(), s.term(3)]).toEqual([1, 3, 2])
    s.append(ents(2, [3]))
    expect(s.lastIndex()).toBe(2)
    expect(s.term(2)).toBe(3)
    expect(() => s.entries(1, 5)).toThrow(RaftStorageError)
    expect(() => s.append(ents(5, [3]))).toThrow(/gap/)
    s.append(ents(3, [3, 3]))
    s.createSnapshot(3, {voters: ['a'], learners: []}, new Uint8Array([7]))
    s.compact(3)
    expect([s.firstIndex(), s.lastIndex(), s.term(3)]).toEqual([4, 4, 3])
    expect(() => s.term(2)).toThrow(expect.objectContaining({kind: 'compacted'}))
    expect(() => s.entries(3, 4)).toThrow(expect.objectContaining({kind: 'compacted'}))
    expect(() => s.term(5)).toThrow(expect.objectContaining({kind: 'unavailable'}))
    // Appending already-compacted entries skips them.
    s.append(ents(2, [3, 3, 3, 3]))
    expect(s.lastIndex()).toBe(5)
  })

  it('applySnapshot replaces the log and refuses older snapshots; entries() honours maxBytes', () => {
    const s = new MemoryStorage()
    s.append(ents(1, [1, 1, 1]))
    expect(s.entries(1, 4, 1)).toHaveLength(1) // at least one entry
    expect(s.entries(1, 4, 40)).toHaveLength(2) // 16 bytes of overhead each
    const snap = {meta: {index: 10, term: 4, conf: {voters: ['x'], learners: []}}, data: new Uint8Array()}
    s.applySnapshot(snap)
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 4])
    expect(s.initialState().confState.voters).toEqual(['x'])
    expect(() => s.applySnapshot(snap)).toThrow(expect.objectContaining({kind: 'snapshot-out-of-date'}))
  })
})

describe('RaftLog', () => {
  const logWith = (terms: number[]) => {
    const s = new MemoryStorage()
    s.append(ents(1, terms))
    return new RaftLog(s, Infinity)
  }

  it('maybeAppend commits only up to the last entry it verified, not a stale suffix', () => {
    const log = logWith([1, 1, 1, 1]) // stale uncommitted entries 3..4 of term 1
    // Leader (term 2) says: my entry 2 has term 1, here is nothing new, commit is 4.
    expect(log.maybeAppend(2, 1, 4, [])).toBe(2)
    expect(log.committed).toBe(2)
  })

  it('maybeAppend truncates a conflicting suffix but keeps matching entries', () => {
    const log = logWith([1, 1, 1, 1])
    expect(log.maybeAppend(1, 1, 0, [ent(2, 1), ent(3, 2)])).toBe(3)
    expect(log.lastIndex()).toBe(3)
    expect(log.term(3)).toBe(2)
    expect(log.maybeAppend(3, 1, 0, [])).toBeUndefined() // consistency check fails
  })

  it('refuses to truncate committed entries', () => {
    const log = logWith([1, 1, 1])
    log.commitTo(3)
    expect(() => log.append([ent(2, 5)])).toThrow(RaftError)
    expect(() => log.commitTo(9)).toThrow(/past the last index/)
  })

  it('matchTerm and termOrZero answer false / 0 outside the log (past the end, compacted) and when storage refuses', () => {
    const s = new MemoryStorage()
    s.append(ents(1, [1, 1, 2, 2, 3]))
    s.createSnapshot(2, {voters: ['a'], learners: []}, new Uint8Array())
    s.compact(2) // entries 3..5 left; 2 is the snapshot point
    const log = new RaftLog(s, Infinity)
    log.append([ent(6, 3), ent(7, 4)]) // unstable tail
    expect([1, 2, 3, 5, 6, 7, 8].map((i) => log.termOrZero(i))).toEqual([0, 1, 2, 3, 3, 4, 0])
    expect(log.matchTerm(1, 1)).toBe(false) // compacted
    expect(log.matchTerm(2, 1)).toBe(true) // the snapshot point
    expect(log.matchTerm(7, 4)).toBe(true) // unstable
    expect(log.matchTerm(8, 4)).toBe(false) // past the end
    expect(log.matchTerm(8, 0)).toBe(false)
    expect(log.findConflict([ent(6, 3), ent(7, 4), ent(8, 4), ent(9, 4)])).toBe(8)
    expect(log.findConflict([ent(6, 3), ent(7, 4)])).toBe(0)
    expect(() => log.term(8)).toThrow(expect.objectContaining({kind: 'unavailable'}))
    expect(() => log.term(1)).toThrow(expect.objectContaining({kind: 'compacted'}))
    // A storage that refuses an index inside the bounds it reports is still a mismatch.
    const refusing = new MemoryStorage()
    refusing.append(ents(1, [1, 1]))
    refusing.term = () => { throw new RaftStorageError('unavailable', 'refused') }
    const l2 = new RaftLog(refusing, Infinity)
    expect(l2.matchTerm(1, 1)).toBe(false)
    expect(l2.termOrZero(1)).toBe(0)
  })

  it('findConflictByTerm skips whole terms', () => {
    const log = logWith([1, 1, 2, 2, 2, 5, 5])
    expect(log.findConflictByTerm(7, 4)).toEqual({index: 5, term: 2})
    expect(log.findConflictByTerm(7, 1)).toEqual({index: 2, term: 1})
    expect(log.findConflictByTerm(7, 9)).toEqual({index: 7, term: 5})
  })

  it('isUpToDate compares last term first, then length (§5.4.1)', () => {
    const log = logWith([1, 2, 2])
    expect(log.isUpToDate(1, 3)).toBe(true)
    expect(log.isUpToDate(3, 2)).toBe(true)
    expect(log.isUpToDate(2, 2)).toBe(false)
    expect(log.isUpToDate(9, 1)).toBe(false)
  })

  it('slices across storage and the unstable tail; stableTo ignores a rewritten tail', () => {
    const log = logWith([1, 1])
    log.append([ent(3, 2), ent(4, 2)])
    expect(log.slice(1, 5).map((e) => e.index)).toEqual([1, 2, 3, 4])
    log.stableTo(4, 1) // wrong term: not ours
    expect(log.unstableEntries()).toHaveLength(2)
    log.stableTo(4, 2)
    expect(log.unstableEntries()).toHaveLength(0)
  })

  it('leader commit requires an entry of the current term', () => {
    const log = logWith([1, 1, 2])
    expect(log.maybeCommit(2, 2)).toBe(false)
    expect(log.maybeCommit(3, 2)).toBe(true)
    expect(log.committed).toBe(3)
  })
})

describe('Progress, inflights and quorum', () => {
  it('probe: only the answer to the outstanding probe moves next; replicate falls back to match+1', () => {
    const pr = new Progress(10, 2, 0)
    expect(pr.maybeDecrTo(5, 3)).toBe(false) // stale: we probed 9
    expect(pr.maybeDecrTo(9, 3)).toBe(true)
    expect(pr.next).toBe(4)
    pr.maybeUpdate(5)
    pr.becomeReplicate()
    pr.sentEntries(7)
    pr.sentEntries(8)
    expect(pr.isPaused()).toBe(true) // window of 2 is full
    pr.inflights.freeLE(7)
    expect(pr.isPaused()).toBe(false)
    expect(pr.maybeDecrTo(4, 0)).toBe(false) // below match: stale
    expect(pr.maybeDecrTo(8, 0)).toBe(true)
    expect(pr.next).toBe(6)
  })

  it('a snapshot pauses the peer; probing resumes past it', () => {
    const pr = new Progress(3, 4, 2)
    pr.becomeSnapshot(20)
    expect(pr.isPaused()).toBe(true)
    pr.becomeProbe()
    expect(pr.next).toBe(21)
  })

  it('committedIndex is the majority-th highest match; voteResult tallies', () => {
    const m: Record<string, number> = {a: 5, b: 3, c: 9, d: 1, e: 4}
    expect(committedIndex(['a', 'b', 'c', 'd', 'e'], (id) => m[id])).toBe(4)
    expect(committedIndex(['a', 'b'], (id) => m[id])).toBe(3)
    const votes = new Map([['a', true], ['b', false]])
    expect(voteResult(['a', 'b', 'c'], votes)).toBe('pending')
    votes.set('c', false)
    expect(voteResult(['a', 'b', 'c'], votes)).toBe('lost')
    votes.set('c', true)
    expect(voteResult(['a', 'b', 'c'], votes)).toBe('won')
  })
})

describe('conf changes', () => {
  it('round-trip through entry data and apply idempotently', () => {
    const cc = {type: 'addVoter' as const, node: 'n4', context: '127.0.0.1:8300'}
    expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc)
    const base = {voters: ['n1', 'n2'], learners: ['n4']}
    const once = applyToConfState(base, cc)
    expect(once).toEqual({voters: ['n1', 'n2', 'n4'], learners: []})
    expect(applyToConfState(once, cc)).toEqual(once)
    expect(applyToConfState(once, {type: 'removeNode', node: 'n1'})).toEqual({voters: ['n2', 'n4'], learners: []})
    expect(() => decodeConfChange(new TextEncoder().encode('nope'))).toThrow(RaftError)
  })
})
