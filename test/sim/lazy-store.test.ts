import {describe, expect, it} from 'vitest'
import {EntryType, type Entry} from '../../src/agent/raft/core/types.js'
import {MemoryRaftDisk, MemoryRaftStore} from '../../src/store/raft/memory-store.js'
import {LazySyncStore} from './lazy-store.js'

const entry = (index: number, term: number): Entry => ({index, term, type: EntryType.Normal, data: new Uint8Array([index])})
const snap = (index: number) => ({meta: {index, term: 1, conf: {voters: ['n1'], learners: []}}, data: new Uint8Array([9])})

describe('LazySyncStore (the simulator’s power-loss model)', () => {
  it('loses a commit-only batch on crash, keeps entries and snapshots', () => {
    const disk = new MemoryRaftDisk()
    const s = new LazySyncStore(disk)
    s.persist({entries: [entry(1, 1), entry(2, 1)], hardState: {term: 1, vote: 'n1', commit: 0}})
    s.persist({entries: [], hardState: {term: 1, vote: 'n1', commit: 2}, sync: false})
    expect(s.initialState().hardState.commit).toBe(2)
    s.crash()
    expect(s.initialState().hardState.commit).toBe(0)
    expect(s.lastIndex()).toBe(2)
    s.persist({entries: [], snapshot: snap(5), hardState: {term: 1, vote: 'n1', commit: 5}, sync: false})
    s.crash()
    expect(new MemoryRaftStore({disk}).latestSnapshot()?.meta.index).toBe(5)
  })

  it('a later synced write flushes an earlier commit-only batch (a WAL is sequential)', () => {
    const s = new LazySyncStore(new MemoryRaftDisk())
    s.persist({entries: [entry(1, 1)], hardState: {term: 1, vote: '', commit: 0}})
    s.persist({entries: [], hardState: {term: 1, vote: '', commit: 1}, sync: false})
    s.persist({entries: [entry(2, 1)]})
    s.crash()
    expect(s.initialState().hardState.commit).toBe(1)
  })

  it('trustSyncFlag believes the flag even for a snapshot (the mutant behind seed 1423)', () => {
    const s = new LazySyncStore(new MemoryRaftDisk(), true)
    s.persist({entries: [], snapshot: snap(5), hardState: {term: 1, vote: '', commit: 5}, sync: false})
    s.crash()
    expect(s.latestSnapshot()).toBeUndefined()
  })
})
