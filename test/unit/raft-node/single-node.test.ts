import {describe, expect, it} from 'vitest'
import {MemoryRaftHub} from '../../../src/agent/raft/transport-memory.js'
import {RaftError, RaftNode, goDuration} from '../../../src/agent/raft/node.js'
import {SqliteRaftStore} from '../../../src/store/raft/sqlite-store.js'
import {createNodeEnv} from '../../../src/agent/env/node.js'
import {InstrumentedStore, MapFsm, VirtualTime, cmd, memoryLogger, tempDir, rejection} from './helpers.js'

interface Opts {
  snapshotThreshold?: number
  snapshotIntervalMs?: number
  trailingLogs?: number
}

/** One bootstrap voter on a real SQLite store in `dir`, driven by virtual time. */
function single(time: VirtualTime, dir: string, opts: Opts = {}) {
  const store = new InstrumentedStore(SqliteRaftStore.open(dir))
  const fsm = new MapFsm()
  const hub = new MemoryRaftHub({defer: time.defer})
  const node = new RaftNode(
    {env: time.env(1), store, fsm, transport: hub.connect('n1')},
    {id: 'n1', bootstrap: {voters: ['n1']}, log: memoryLogger(), tickMs: 100, ...opts},
  )
  node.start()
  const close = () => {
    node.stop()
    store.close()
  }
  return {node, store, fsm, close}
}

describe('RaftNode, single voter on SQLite', () => {
  it('is leader when start() returns and batches concurrent proposals into few fsyncs', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const {node, store, fsm, close} = single(time, dir)
      expect(node.isLeader()).toBe(true)
      expect(node.leader()).toBe('n1')
      expect(node.lastContactMs()).toBe(0)
      const persistsBefore = store.persists
      const all = Promise.all(Array.from({length: 1000}, (_, i) => node.propose(cmd(`k${i}`, `v${i}`))))
      const results = await time.settle(all)
      const indexes = results.map((r) => r.index)
      expect(new Set(indexes).size).toBe(1000)
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b))
      expect(results[7]!.result).toEqual({index: indexes[7], prev: undefined})
      expect(fsm.map.size).toBe(1000)
      expect(fsm.map.get('k999')).toBe('v999')
      // One transaction for the entries, one for the commit that follows.
      const writes = store.persists - persistsBefore
      expect(writes).toBeLessThanOrEqual(4)
      expect(store.persistedEntries).toBeGreaterThanOrEqual(1000)
      const stats = node.stats()
      expect(stats.state).toBe('Leader')
      expect(stats.applied_index).toBe(String(indexes[999]))
      expect(stats.commit_index).toBe(String(indexes[999]))
      expect(stats.last_contact).toBe('0')
      expect(stats.num_peers).toBe('0')
      expect(node.configuration()).toEqual({servers: [{id: 'n1', voter: true}], index: 1})
      close()
    } finally {
      cleanup()
    }
  })

  it('restores exactly the same state after a restart from the same directory', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const a = single(time, dir)
      for (let round = 0; round < 5; round++) {
        await time.settle(Promise.all(Array.from({length: 40}, (_, i) => a.node.propose(cmd(`k${i % 25}`, `r${round}-${i}`)))))
      }
      const applied = a.node.stats().applied_index
      const state = [...a.fsm.map]
      a.close()

      const b = single(time, dir)
      expect(b.node.isLeader()).toBe(true)
      expect([...b.fsm.map]).toEqual(state)
      expect(b.fsm.restores).toBe(1) // the (empty) bootstrap snapshot, then the log replay
      expect(Number(b.node.stats().applied_index)).toBeGreaterThanOrEqual(Number(applied))
      const next = await time.settle(b.node.propose(cmd('after', 'restart')))
      expect(next.index).toBeGreaterThan(Number(applied))
      expect(b.fsm.map.get('after')).toBe('restart')
      b.close()
    } finally {
      cleanup()
    }
  })

  it('snapshots past the threshold, truncates the log, and restarts from snapshot + tail', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const a = single(time, dir, {snapshotThreshold: 50, trailingLogs: 10})
      for (let i = 0; i < 175; i++) await time.settle(a.node.propose(cmd(`k${i}`, `v${i}`)))
      const snap = a.store.latestSnapshot()!
      const applied = Number(a.node.stats().applied_index)
      expect(snap.meta.index).toBeGreaterThanOrEqual(applied - 50)
      expect(snap.meta.conf.voters).toEqual(['n1'])
      expect(a.node.stats().last_snapshot_index).toBe(String(snap.meta.index))
      expect(a.store.firstIndex()).toBe(snap.meta.index - 10 + 1)
      expect(a.store.lastIndex()).toBeGreaterThanOrEqual(applied)
      const state = [...a.fsm.map]
      a.close()

      const b = single(time, dir, {snapshotThreshold: 50, trailingLogs: 10})
      expect(b.fsm.restores).toBe(1)
      expect([...b.fsm.map]).toEqual(state)
      // Only the tail after the snapshot was replayed through apply().
      expect(b.fsm.applied.length).toBe(b.fsm.applied.filter((i) => i > snap.meta.index).length)
      expect(b.fsm.applied.length).toBeGreaterThan(0)
      expect(b.fsm.applied[0]).toBeGreaterThan(snap.meta.index)
      b.close()
    } finally {
      cleanup()
    }
  })

  it('with raft_snapshot_interval, snapshots at most once per interval however fast entries arrive', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const a = single(time, dir, {snapshotThreshold: 20, snapshotIntervalMs: 30_000, trailingLogs: 5})
      for (let i = 0; i < 30; i++) await time.settle(a.node.propose(cmd(`k${i}`, `v${i}`)))
      const first = a.store.latestSnapshot()!.meta.index
      expect(first).toBeGreaterThan(0)
      // 200 more entries within the interval: no new snapshot, the log just grows.
      for (let i = 30; i < 230; i++) await time.settle(a.node.propose(cmd(`k${i}`, `v${i}`)))
      expect(a.store.latestSnapshot()!.meta.index).toBe(first)
      // Past the (jittered, at most 2×) interval, the next apply snapshots again.
      await time.advance(60_001)
      await time.settle(a.node.propose(cmd('late', 'x')))
      expect(a.store.latestSnapshot()!.meta.index).toBeGreaterThan(first + 200)
      a.close()
    } finally {
      cleanup()
    }
  })

  it('rejects the proposals of a failed write, applies none of them, and recovers', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const a = single(time, dir)
      await time.settle(a.node.propose(cmd('before', '1')))
      a.store.failNextPersist = true
      const doomed = Array.from({length: 5}, (_, i) => a.node.propose(cmd(`doomed${i}`, 'x')))
      const errors = await time.settle(Promise.all(doomed.map(rejection)))
      expect(errors.map((e) => e.code)).toEqual(['storage', 'storage', 'storage', 'storage', 'storage'])
      expect([...a.fsm.map.keys()]).toEqual(['before'])
      await time.until(() => a.node.isLeader(), 10_000, 're-election')
      const ok = await time.settle(a.node.propose(cmd('after', '2')))
      expect(a.fsm.map.get('after')).toBe('2')
      expect([...a.fsm.map.keys()].some((k) => k.startsWith('doomed'))).toBe(false)
      a.close()

      const b = single(time, dir)
      expect([...b.fsm.map]).toEqual([['before', '1'], ['after', '2']])
      expect(Number(b.node.stats().applied_index)).toBeGreaterThanOrEqual(ok.index)
      b.close()
    } finally {
      cleanup()
    }
  })

  it('confirms leadership with ReadIndex and refuses requests when stopped', async () => {
    const {dir, cleanup} = tempDir()
    const time = new VirtualTime()
    try {
      const a = single(time, dir)
      const w = await time.settle(a.node.propose(cmd('x', '1')))
      const readIndex = await time.settle(a.node.verifyLeader())
      expect(readIndex).toBeGreaterThanOrEqual(w.index)
      expect(Number(a.node.stats().applied_index)).toBeGreaterThanOrEqual(readIndex)
      // A lone voter is its own quorum: it holds the read lease and serves default reads at once.
      expect(a.node.hasLease()).toBe(true)
      expect(await time.settle(a.node.leaseRead())).toBeGreaterThanOrEqual(w.index)
      expect((await rejection(a.node.propose(new Uint8Array(0)))).code).toBe('invalid')
      const inflight = a.node.propose(cmd('y', '2'))
      a.close()
      expect((await rejection(inflight)).code).toBe('stopped')
      expect((await rejection(a.node.propose(cmd('z', '3')))).code).toBe('stopped')
      expect(a.node.stats().state).toBe('Shutdown')
    } finally {
      cleanup()
    }
  })
})

describe('RaftNode on real timers', () => {
  it('serves a burst of proposals with the Node environment', async () => {
    const {dir, cleanup} = tempDir()
    const lines: string[] = []
    const env = createNodeEnv(memoryLogger(lines))
    const store = SqliteRaftStore.open(dir)
    const fsm = new MapFsm()
    const node = new RaftNode({env, store, fsm, transport: new MemoryRaftHub().connect('dev')}, {id: 'dev', tickMs: 10, bootstrap: {voters: ['dev']}, log: env.log})
    try {
      node.start()
      expect(node.isLeader()).toBe(true)
      const results = await Promise.all(Array.from({length: 200}, (_, i) => node.propose(cmd(`k${i}`, 'v'))))
      expect(results).toHaveLength(200)
      expect(fsm.map.size).toBe(200)
      expect(await node.verifyLeader()).toBeGreaterThanOrEqual(results[199]!.index)
    } finally {
      node.stop()
      store.close()
      cleanup()
    }
  })
})

describe('goDuration', () => {
  it('formats like Go', () => {
    expect(goDuration(0)).toBe('0s')
    expect(goDuration(1.5)).toBe('1.5ms')
    expect(goDuration(0.25)).toBe('250µs')
    expect(goDuration(2003)).toBe('2.003s')
    expect(goDuration(64_000)).toBe('1m4s')
  })
})
