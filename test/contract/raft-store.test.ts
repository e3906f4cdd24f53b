import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import type {Entry} from '../../src/agent/raft/core/types.js'
import {RaftStoreError} from '../../src/store/raft/errors.js'
import {MemoryRaftDisk, MemoryRaftStore} from '../../src/store/raft/memory-store.js'
import {SqliteRaftStore} from '../../src/store/raft/sqlite-store.js'
import {raftStoreContract} from './raft-store.contract.js'

const ent = (index: number, term: number): Entry => ({index, term, type: 0, data: new TextEncoder().encode(`e${index}`)})
const tempDir = () => mkdtempSync(join(tmpdir(), 'dc-raft-store-'))

raftStoreContract('memory', () => {
  const disk = new MemoryRaftDisk()
  return {open: () => new MemoryRaftStore({disk}), destroy: () => {}}
})

raftStoreContract('sqlite', () => {
  const dir = tempDir()
  return {open: () => SqliteRaftStore.open(dir), destroy: () => rmSync(dir, {recursive: true, force: true})}
})

// A tiny read cache forces entries() through SQL and exercises cache trimming.
raftStoreContract('sqlite (tiny cache)', () => {
  const dir = tempDir()
  return {
    open: () => SqliteRaftStore.open(dir, {cacheEntries: 4, cacheBytes: 200}),
    destroy: () => rmSync(dir, {recursive: true, force: true}),
  }
})

describe('SqliteRaftStore specifics', () => {
  it('creates <dataDir>/raft/raft.db with mode 0600 in WAL mode', () => {
    const dir = tempDir()
    try {
      const s = SqliteRaftStore.open(dir)
      s.persist({entries: [ent(1, 1)]})
      const file = join(dir, 'raft', 'raft.db')
      expect(s.path).toBe(file)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      // SQLite gives the WAL the database file's permissions.
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, 'raft')).mode & 0o777).toBe(0o700)
      const peek = new Database(file, {readonly: true})
      expect(peek.pragma('journal_mode', {simple: true})).toBe('wal')
      peek.close()
      s.close()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('keeps the newest two snapshots', () => {
    const dir = tempDir()
    try {
      const s = SqliteRaftStore.open(dir, {wallMs: () => 1234})
      s.persist({entries: Array.from({length: 9}, (_, k) => ent(k + 1, 1)), hardState: {term: 1, vote: '', commit: 9}})
      for (const i of [3, 5, 7, 9]) s.saveSnapshot({meta: {index: i, term: 1, conf: {voters: ['a'], learners: []}}, data: new Uint8Array([i])})
      const peek = new Database(join(dir, 'raft', 'raft.db'), {readonly: true})
      expect(peek.prepare('SELECT idx, created FROM snapshots ORDER BY idx').all()).toEqual([{idx: 7, created: 1234}, {idx: 9, created: 1234}])
      peek.close()
      s.close()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('rolls back a transaction that fails half-way and keeps its caches consistent', () => {
    const dir = tempDir()
    try {
      const s = SqliteRaftStore.open(dir)
      s.persist({entries: [ent(1, 1), ent(2, 1), ent(3, 1)], hardState: {term: 1, vote: 'a', commit: 1}})
      // A second connection installs a trigger that fails the insert of index 4, after the
      // suffix delete and the insert of 3 already ran inside the transaction.
      const saboteur = new Database(join(dir, 'raft', 'raft.db'))
      saboteur.exec(`CREATE TRIGGER fail4 BEFORE INSERT ON log WHEN NEW.idx = 4 BEGIN SELECT RAISE(ABORT, 'injected fault'); END`)
      let err: unknown
      try {
        s.persist({entries: [ent(2, 2), ent(3, 2), ent(4, 2)], hardState: {term: 2, vote: 'b', commit: 1}})
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(RaftStoreError)
      expect((err as RaftStoreError).kind).toBe('io')
      const check = (store: SqliteRaftStore) => {
        expect(store.lastIndex()).toBe(3)
        expect([1, 2, 3].map((i) => store.term(i))).toEqual([1, 1, 1])
        expect(store.entries(1, 4).map((e) => e.term)).toEqual([1, 1, 1])
        expect(store.initialState().hardState).toEqual({term: 1, vote: 'a', commit: 1})
      }
      check(s)
      saboteur.exec('DROP TRIGGER fail4')
      saboteur.close()
      s.close()
      const reopened = SqliteRaftStore.open(dir)
      check(reopened)
      reopened.persist({entries: [ent(2, 2), ent(3, 2), ent(4, 2)], hardState: {term: 2, vote: 'b', commit: 1}})
      expect(reopened.entries(1, 5).map((e) => e.term)).toEqual([1, 2, 2, 2])
      reopened.close()
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('works on an in-memory database', () => {
    const s = SqliteRaftStore.open(':memory:')
    s.persist({entries: [ent(1, 1)], hardState: {term: 1, vote: '', commit: 1}})
    expect(s.lastIndex()).toBe(1)
    s.close()
  })
})

describe('MemoryRaftStore durability boundary', () => {
  it('crash() drops what was not synced; sync() makes it durable', () => {
    const s = new MemoryRaftStore({autoSync: false})
    s.persist({entries: [ent(1, 1), ent(2, 1)], hardState: {term: 1, vote: 'a', commit: 1}})
    expect(s.unsynced()).toBe(1)
    s.sync()
    s.persist({entries: [ent(3, 1)], hardState: {term: 1, vote: 'a', commit: 3}})
    expect(s.lastIndex()).toBe(3)
    s.crash()
    expect(s.lastIndex()).toBe(2)
    expect(s.initialState().hardState).toEqual({term: 1, vote: 'a', commit: 1})
    // A store reopened over the same disk sees only synced state too.
    s.persist({entries: [ent(3, 2)]})
    const again = new MemoryRaftStore({disk: s.disk})
    expect(again.lastIndex()).toBe(2)
  })

  it('autoSync (default) makes every call durable', () => {
    const s = new MemoryRaftStore()
    s.persist({entries: [ent(1, 1)], hardState: {term: 1, vote: '', commit: 1}})
    s.crash()
    expect(s.lastIndex()).toBe(1)
    expect(s.unsynced()).toBe(0)
  })
})
